// The four dependency-token queues between the engines (docs/npu-isa.md,
// "Dependency tokens"): load->compute, compute->load, compute->store,
// store->compute, each a counter. An engine presents the token flags of the
// instruction it wants to start (`want`, flag bits as in the ISA: 0 pop_prev,
// 1 pop_next, 2 push_prev, 3 push_next); `ready` says whether every token it
// pops is there, and `start` takes them. When an instruction's effect is
// complete the engine raises `done` with the same flags and its pushes land.
// A `start` without `ready` takes nothing (the engine stalls).
// A token pushed in a cycle can be popped from the next cycle on. The ISA's
// counters are unbounded; these hold 2^TOKEN_BITS - 1 tokens and raise
// `overflow` (sticky) if a push would exceed that.
#include "etch/rtl/generators.h"

namespace etch::rtl {

SvFile token_queues_sv(const RtlParams& p) {
  static const char* kTemplate = R"(${BANNER}
module etch_token_queues #(
    parameter int TOKEN_BITS = 16
) (
    input  logic                      clk,
    input  logic                      rst_n,
    // per engine e (0 load, 1 compute, 2 store): flags at [4*e +: 4]. Only
    // pop flags matter in `want` and push flags in `done_flags`, and neither
    // load's prev nor store's next exists: the other bits go unused.
    /* verilator lint_off UNUSEDSIGNAL */
    input  logic [11:0]               want,
    input  logic [2:0]                start,
    input  logic [11:0]               done_flags,
    /* verilator lint_on UNUSEDSIGNAL */
    input  logic [2:0]                done,
    output logic [2:0]                ready,
    output logic [4*TOKEN_BITS-1:0]   count,     // queue q at [TOKEN_BITS*q +: TOKEN_BITS]
    output logic                      overflow
);
  localparam int L2C = 0, C2L = 1, C2S = 2, S2C = 3;
  localparam logic [TOKEN_BITS-1:0] FULL = '1;

  logic [TOKEN_BITS-1:0] n[4];
  logic [3:0] pop, push;

  always_comb begin
    // Pops at start: load pops compute->load (pop_next); compute pops
    // load->compute (pop_prev) and store->compute (pop_next); store pops
    // compute->store (pop_prev). The load engine's pop_prev/push_prev and the
    // store engine's pop_next/push_next do not exist (the decoder refuses them).
    ready[0] = !want[1] || n[C2L] != '0;
    ready[1] = (!want[4] || n[L2C] != '0) && (!want[5] || n[S2C] != '0);
    ready[2] = !want[8] || n[C2S] != '0;
    pop[C2L] = start[0] && ready[0] && want[1];
    pop[L2C] = start[1] && ready[1] && want[4];
    pop[S2C] = start[1] && ready[1] && want[5];
    pop[C2S] = start[2] && ready[2] && want[8];
    // Pushes at done: load pushes load->compute (push_next); compute pushes
    // compute->load (push_prev) and compute->store (push_next); store pushes
    // store->compute (push_prev).
    push[L2C] = done[0] && done_flags[3];
    push[C2L] = done[1] && done_flags[6];
    push[C2S] = done[1] && done_flags[7];
    push[S2C] = done[2] && done_flags[10];
  end

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      for (int q = 0; q < 4; q++) n[q] <= '0;
      overflow <= 1'b0;
    end else begin
      for (int q = 0; q < 4; q++) begin
        if (push[q] && !pop[q]) begin
          if (n[q] == FULL) overflow <= 1'b1;
          else n[q] <= n[q] + 1'b1;
        end else if (pop[q] && !push[q]) begin
          n[q] <= n[q] - 1'b1;
        end
      end
    end
  end

  genvar q;
  generate
    for (q = 0; q < 4; q++) begin : g_count
      assign count[TOKEN_BITS*q+:TOKEN_BITS] = n[q];
    end
  endgenerate
endmodule
)";
  return {"etch_token_queues",
          substitute(kTemplate, {{"BANNER", generated_banner(p.target_name, "dependency-token queues")}})};
}

}  // namespace etch::rtl
