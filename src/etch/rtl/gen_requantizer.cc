// One vector-unit lane's REQUANT: clamp(MBQM(acc + bias) + zero_point,
// act_min, act_max) as in docs/npu-isa.md, with the accumulator and bias added
// modulo 2^32 as the reference does, and the result registered.
#include "etch/rtl/generators.h"

namespace etch::rtl {

SvFile requantizer_sv(const RtlParams& p) {
  static const char* kTemplate = R"(${BANNER}
module etch_requantizer (
    input  logic              clk,
    input  logic              rst_n,
    input  logic              in_valid,
    input  logic signed [31:0] acc,
    input  logic signed [31:0] bias,
    input  logic signed [31:0] multiplier,
    input  logic signed [7:0]  shift,
    input  logic signed [7:0]  zero_point,
    input  logic signed [7:0]  act_min,
    input  logic signed [7:0]  act_max,
    output logic              out_valid,
    output logic signed [7:0]  y
);
  logic signed [31:0] sum;
  logic signed [31:0] scaled;
  logic signed [32:0] offset;
  logic signed [7:0]  clamped;

  assign sum = acc + bias;  // wraps modulo 2^32, like the reference's unsigned add

  etch_mbqm scale (
      .x(sum),
      .multiplier(multiplier),
      .shift(shift),
      .y(scaled)
  );

  always_comb begin
    offset = $signed({scaled[31], scaled}) + $signed({{25{zero_point[7]}}, zero_point});
    if (offset < $signed({{25{act_min[7]}}, act_min})) clamped = act_min;
    else if (offset > $signed({{25{act_max[7]}}, act_max})) clamped = act_max;
    else clamped = offset[7:0];
  end

  always_ff @(posedge clk) begin
    if (!rst_n) out_valid <= 1'b0;
    else out_valid <= in_valid;
    y <= clamped;
  end
endmodule
)";
  return {"etch_requantizer",
          substitute(kTemplate, {{"BANNER", generated_banner(p.target_name, "vector-unit requantizer lane")}})};
}

}  // namespace etch::rtl
