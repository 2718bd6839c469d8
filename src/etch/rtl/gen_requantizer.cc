// One vector-unit lane's REQUANT: clamp(MBQM(acc + bias) + zero_point,
// act_min, act_max) as in docs/npu-isa.md, with the accumulator and bias added
// modulo 2^32 as the reference does; etch_output_stage adds the zero point,
// clamps and registers.
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

  assign sum = acc + bias;  // wraps modulo 2^32, like the reference's unsigned add

  etch_mbqm scale (
      .x(sum),
      .multiplier(multiplier),
      .shift(shift),
      .y(scaled)
  );

  etch_output_stage out (
      .clk(clk),
      .rst_n(rst_n),
      .in_valid(in_valid),
      .scaled(scaled),
      .zero_point(zero_point),
      .act_min(act_min),
      .act_max(act_max),
      .out_valid(out_valid),
      .y(y)
  );
endmodule
)";
  return {"etch_requantizer",
          substitute(kTemplate, {{"BANNER", generated_banner(p.target_name, "vector-unit requantizer lane")}})};
}

}  // namespace etch::rtl
