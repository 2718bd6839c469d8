// The vector unit's REQUANT datapath: `vector.lanes` requantizer lanes that
// take one channel's row of accumulators per cycle, `lanes` at a time, with
// that channel's bias, multiplier and shift (docs/npu-isa.md: a REQUANT over
// m x n elements takes ceil(m*n / lanes) cycles plus the pipeline latency).
#include <string>

#include "etch/rtl/generators.h"

namespace etch::rtl {

SvFile vector_requant_sv(const RtlParams& p) {
  static const char* kTemplate = R"(${BANNER}
module etch_vector_requant #(
    parameter int LANES = ${LANES}
) (
    input  logic                    clk,
    input  logic                    rst_n,
    input  logic                    in_valid,
    input  logic [LANES-1:0]        lane_enable,  // the last group of a row may be partial
    input  logic [LANES*32-1:0]     acc,          // lane i at [32*i +: 32]
    input  logic signed [31:0]      bias,
    input  logic signed [31:0]      multiplier,
    input  logic signed [7:0]       shift,
    input  logic signed [7:0]       zero_point,
    input  logic signed [7:0]       act_min,
    input  logic signed [7:0]       act_max,
    output logic                    out_valid,
    output logic [LANES-1:0]        out_enable,
    output logic [LANES*8-1:0]      y             // lane i at [8*i +: 8]
);
  logic [LANES-1:0] lane_valid;

  always_ff @(posedge clk) begin
    if (!rst_n) out_enable <= '0;
    else out_enable <= in_valid ? lane_enable : '0;
  end

  genvar i;
  generate
    for (i = 0; i < LANES; i++) begin : g_lane
      etch_requantizer lane (
          .clk(clk),
          .rst_n(rst_n),
          .in_valid(in_valid),
          .acc(acc[32*i+:32]),
          .bias(bias),
          .multiplier(multiplier),
          .shift(shift),
          .zero_point(zero_point),
          .act_min(act_min),
          .act_max(act_max),
          .out_valid(lane_valid[i]),
          .y(y[8*i+:8])
      );
    end
  endgenerate

  assign out_valid = &lane_valid;  // the lanes run in lockstep
endmodule
)";
  return {"etch_vector_requant",
          substitute(kTemplate, {{"BANNER", generated_banner(p.target_name, "vector unit, REQUANT lanes")},
                                 {"LANES", std::to_string(p.lanes)}})};
}

}  // namespace etch::rtl
