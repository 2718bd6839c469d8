// A shift register of DEPTH stages (0: a wire). The array uses it for the
// input skew (row r enters r cycles late) and the output deskew (column c
// leaves cols-1-c cycles late), so its ports carry one whole pixel per cycle.
#include "etch/rtl/generators.h"

namespace etch::rtl {

SvFile delay_sv(const RtlParams& p) {
  static const char* kTemplate = R"(${BANNER}
module etch_delay #(
    parameter int WIDTH = 8,
    parameter int DEPTH = 1
) (
    /* verilator lint_off UNUSEDSIGNAL */
    input  logic             clk,  // unused when DEPTH is 0
    /* verilator lint_on UNUSEDSIGNAL */
    input  logic [WIDTH-1:0] d,
    output logic [WIDTH-1:0] q
);
  generate
    if (DEPTH == 0) begin : g_wire
      assign q = d;
    end else begin : g_stages
      logic [WIDTH-1:0] stage[DEPTH];
      always_ff @(posedge clk) begin
        stage[0] <= d;
        for (int s = 1; s < DEPTH; s++) stage[s] <= stage[s-1];
      end
      assign q = stage[DEPTH-1];
    end
  endgenerate
endmodule
)";
  return {"etch_delay", substitute(kTemplate, {{"BANNER", generated_banner(p.target_name, "skew/deskew delay line")}})};
}

}  // namespace etch::rtl
