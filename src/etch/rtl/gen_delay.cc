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
    end else if (DEPTH == 1) begin : g_stage
      always_ff @(posedge clk) q <= d;
    end else begin : g_stages
      // One packed register, shifted by WIDTH bits per cycle: no loop, so
      // any depth elaborates alike (Verilator does not unroll long loops of
      // delayed assignments to arrays).
      logic [DEPTH*WIDTH-1:0] pipe;
      always_ff @(posedge clk) pipe <= {pipe[(DEPTH-1)*WIDTH-1:0], d};
      assign q = pipe[DEPTH*WIDTH-1-:WIDTH];
    end
  endgenerate
endmodule
)";
  return {"etch_delay", substitute(kTemplate, {{"BANNER", generated_banner(p.target_name, "skew/deskew delay line")}})};
}

}  // namespace etch::rtl
