// LayerStep list -> instructions. The dependency tokens are derived from the
// steps' dependencies, as in VTA's load/compute/store queues: a dependency
// of a step on queue B on a step on queue A becomes a push on A's instruction
// towards B and a pop on B's. Dependencies on the same queue need no token
// (the engine issues in order and the hardware interlocks on its buffers),
// and neither does one already implied by an earlier pop on the same queue.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "etch/compiler/layer_steps.h"
#include "etch/compiler/program_builder.h"

namespace etch::compiler {

// The token bits of every step, and the SYNCs (popping on the step's queue)
// that go right before it when it needs more than one token from a neighbour.
struct StepTokens {
  std::vector<uint8_t> bits;
  std::vector<uint8_t> extra_pop_prev, extra_pop_next;
};
// With `skip_prefetch`, dependencies on prefetch steps get no tokens (a SYNC
// has already waited for the prefetch).
StepTokens derive_tokens(const LayerSteps& steps, bool skip_prefetch = false);

// Emits the steps (which must carry instructions), ending with a BARRIER. The
// prefetch steps (prefetch_group >= 0, first in the list) go before the
// BARRIER that ends the program so far, which is moved behind them; or, with
// `early_barrier`, before the BARRIER at that index (an earlier layer's),
// their last piece pushing one token that a compute-queue SYNC right after
// them pops (so nothing between pops it), and none of the steps after them
// waiting for them by token.
void emit_steps(ProgramBuilder& b, const LayerSteps& steps, std::optional<size_t> early_barrier = std::nullopt);

}  // namespace etch::compiler
