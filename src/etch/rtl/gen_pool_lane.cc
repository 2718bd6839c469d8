// One vector-unit lane of POOL (docs/npu-isa.md), a streaming reducer: the
// window's elements arrive one per cycle, `first` on the window's first and
// `last` on its last, `in_image` when the element lies in the valid rectangle
// (the image, not its halo). Mode 0 keeps the maximum of the elements in the image,
// starting from -128; mode 1 sums x - x_zp over them (outside elements count
// as zero, ONNX count_include_pad) and requantizes the sum with mult, shift,
// y_zp and the clamp. The result is registered with `last`. The sum needs no
// more than 25 bits (255 x 255 elements of |x - x_zp| <= 255).
#include "etch/rtl/generators.h"

namespace etch::rtl {

SvFile pool_lane_sv(const RtlParams& p) {
  static const char* kTemplate = R"(${BANNER}
module etch_pool_lane (
    input  logic               clk,
    input  logic               rst_n,
    input  logic               in_valid,
    input  logic               first,
    input  logic               last,
    input  logic               in_image,
    input  logic               avg,
    input  logic signed [7:0]  x,
    input  logic signed [7:0]  x_zp,
    input  logic signed [31:0] mult,
    input  logic signed [7:0]  shift,
    input  logic signed [7:0]  y_zp,
    input  logic signed [7:0]  act_min,
    input  logic signed [7:0]  act_max,
    output logic               out_valid,
    output logic signed [7:0]  y
);
  logic signed [31:0] acc, base, x_wide, next, scaled, result;
  logic signed [7:0]  zero_point, lo, hi;

  assign x_wide = avg ? $signed({{24{x[7]}}, x}) - $signed({{24{x_zp[7]}}, x_zp}) : $signed({{24{x[7]}}, x});

  always_comb begin
    base = first ? (avg ? 32'sd0 : -32'sd128) : acc;
    if (!in_image) next = base;
    else if (avg) next = base + x_wide;
    else next = (x_wide > base) ? x_wide : base;
  end

  always_ff @(posedge clk) begin
    if (in_valid) acc <= next;
  end

  // A maximum is already int8: it passes the output stage unchanged.
  etch_mbqm scale (.x(next), .multiplier(mult), .shift(shift), .y(scaled));
  assign result = avg ? scaled : next;
  assign zero_point = avg ? y_zp : 8'sd0;
  assign lo = avg ? act_min : -8'sd128;
  assign hi = avg ? act_max : 8'sd127;

  etch_output_stage out (
      .clk(clk), .rst_n(rst_n), .in_valid(in_valid && last), .scaled(result), .zero_point(zero_point),
      .act_min(lo), .act_max(hi), .out_valid(out_valid), .y(y)
  );
endmodule
)";
  return {"etch_pool_lane",
          substitute(kTemplate, {{"BANNER", generated_banner(p.target_name, "vector-unit POOL lane")}})};
}

}  // namespace etch::rtl
