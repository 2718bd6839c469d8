// One vector-unit lane of MUL (ai.etch.QMul, docs/npu-isa.md):
//   y = clamp(MBQM((a - a_zp) * (b - b_zp), mult, shift) + y_zp, act_min, act_max).
// The lane sees the b it multiplies by; picking b[k] or the channel's b[ch]
// (squeeze-and-excitation) is the operand read's business, not the lane's.
// The product of two 9-bit differences is exact in 18 signed bits (|.| <= 255^2).
#include "etch/rtl/generators.h"

namespace etch::rtl {

SvFile mul_lane_sv(const RtlParams& p) {
  static const char* kTemplate = R"(${BANNER}
module etch_mul_lane (
    input  logic               clk,
    input  logic               rst_n,
    input  logic               in_valid,
    input  logic signed [7:0]  a,
    input  logic signed [7:0]  b,
    input  logic signed [7:0]  a_zp,
    input  logic signed [7:0]  b_zp,
    input  logic signed [31:0] mult,
    input  logic signed [7:0]  shift,
    input  logic signed [7:0]  y_zp,
    input  logic signed [7:0]  act_min,
    input  logic signed [7:0]  act_max,
    output logic               out_valid,
    output logic signed [7:0]  y
);
  logic signed [8:0]  a_off, b_off;
  logic signed [17:0] product;
  logic signed [31:0] y_scaled;

  assign a_off = $signed({a[7], a}) - $signed({a_zp[7], a_zp});
  assign b_off = $signed({b[7], b}) - $signed({b_zp[7], b_zp});
  assign product = a_off * b_off;

  etch_mbqm scale (.x({{14{product[17]}}, product}), .multiplier(mult), .shift(shift), .y(y_scaled));

  etch_output_stage out (
      .clk(clk), .rst_n(rst_n), .in_valid(in_valid), .scaled(y_scaled), .zero_point(y_zp),
      .act_min(act_min), .act_max(act_max), .out_valid(out_valid), .y(y)
  );
endmodule
)";
  return {"etch_mul_lane",
          substitute(kTemplate, {{"BANNER", generated_banner(p.target_name, "vector-unit MUL lane")}})};
}

}  // namespace etch::rtl
