// One vector-unit lane of ADD (ai.etch.QAdd, docs/npu-isa.md):
//   a' = MBQM((a - a_zp) * 2^left_shift, a_mult, a_shift), b' likewise,
//   y  = clamp(MBQM(a' + b', mult, shift) + y_zp, act_min, act_max),
// three etch_mbqm instances and etch_output_stage (zero point, clamp, register). Products and sums wrap
// modulo 2^32; the compiler's left_shift (20, as TFLite) keeps them exact.
#include "etch/rtl/generators.h"

namespace etch::rtl {

SvFile add_lane_sv(const RtlParams& p) {
  static const char* kTemplate = R"(${BANNER}
module etch_add_lane (
    input  logic               clk,
    input  logic               rst_n,
    input  logic               in_valid,
    input  logic signed [7:0]  a,
    input  logic signed [7:0]  b,
    input  logic signed [7:0]  a_zp,
    input  logic signed [7:0]  b_zp,
    input  logic        [5:0]  left_shift,
    input  logic signed [31:0] a_mult,
    input  logic signed [7:0]  a_shift,
    input  logic signed [31:0] b_mult,
    input  logic signed [7:0]  b_shift,
    input  logic signed [31:0] mult,
    input  logic signed [7:0]  shift,
    input  logic signed [7:0]  y_zp,
    input  logic signed [7:0]  act_min,
    input  logic signed [7:0]  act_max,
    output logic               out_valid,
    output logic signed [7:0]  y
);
  logic signed [31:0] a_off, b_off, a_scaled, b_scaled, sum, y_scaled;

  assign a_off = ($signed({{24{a[7]}}, a}) - $signed({{24{a_zp[7]}}, a_zp})) <<< left_shift;
  assign b_off = ($signed({{24{b[7]}}, b}) - $signed({{24{b_zp[7]}}, b_zp})) <<< left_shift;

  etch_mbqm scale_a (.x(a_off), .multiplier(a_mult), .shift(a_shift), .y(a_scaled));
  etch_mbqm scale_b (.x(b_off), .multiplier(b_mult), .shift(b_shift), .y(b_scaled));
  assign sum = a_scaled + b_scaled;
  etch_mbqm scale_y (.x(sum), .multiplier(mult), .shift(shift), .y(y_scaled));

  etch_output_stage out (
      .clk(clk), .rst_n(rst_n), .in_valid(in_valid), .scaled(y_scaled), .zero_point(y_zp),
      .act_min(act_min), .act_max(act_max), .out_valid(out_valid), .y(y)
  );
endmodule
)";
  return {"etch_add_lane",
          substitute(kTemplate, {{"BANNER", generated_banner(p.target_name, "vector-unit ADD lane")}})};
}

}  // namespace etch::rtl
