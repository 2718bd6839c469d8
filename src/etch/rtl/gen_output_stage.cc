// The last stage of every vector-unit lane that writes int8: add the output
// zero point to the rescaled int32 value, clamp to [act_min, act_max] (the
// fused activation) and register the result, as runtime::requantize ends.
#include "etch/rtl/generators.h"

namespace etch::rtl {

SvFile output_stage_sv(const RtlParams& p) {
  static const char* kTemplate = R"(${BANNER}
module etch_output_stage (
    input  logic               clk,
    input  logic               rst_n,
    input  logic               in_valid,
    input  logic signed [31:0] scaled,
    input  logic signed [7:0]  zero_point,
    input  logic signed [7:0]  act_min,
    input  logic signed [7:0]  act_max,
    output logic               out_valid,
    output logic signed [7:0]  y
);
  logic signed [32:0] offset;
  logic signed [7:0]  clamped;

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
  return {"etch_output_stage",
          substitute(kTemplate, {{"BANNER", generated_banner(p.target_name, "vector-unit output stage")}})};
}

}  // namespace etch::rtl
