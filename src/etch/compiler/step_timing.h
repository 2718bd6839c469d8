// LayerStep list -> timing: the cost model's closed-form walk over a layer's
// steps (layer_steps.h). Each step lasts what its footprint costs
// (npu/footprint.h); it starts when its engine has issued the previous step
// of its queue, when its unit is free (the DRAM channel, the array and its
// shadow weights, the vector unit) and when its dependencies allow: a
// dependency on another queue waits for the producer's token, one on the
// same queue for the producer to complete (the hardware's buffer interlock).
// The shared DRAM channel is granted like the simulator grants it: a
// transfer takes the earliest free gap at or after it is ready, and the
// stores waiting for the channel go before a round's loads only if they
// can start strictly earlier.
#pragma once
#include <cstdint>
#include <vector>

#include "etch/compiler/layer_steps.h"
#include "etch/npu/target.h"

namespace etch::compiler {

// Cross-layer prefetch, as the cost model sees it. A prefetched layer's
// first-iteration weights and parameters are loaded (background pieces after
// the previous layer's last load) before the BARRIER that opens it, and
// optionally its first fold's PRELOAD is run too (the previous layer's last
// compute instruction).

// What prefetching a layer issues behind the previous one.
struct Prefetch {
  std::vector<int64_t> transfers;  // bytes, in order
  size_t first_group = 0;          // transfers that push the first token (the first fold's weights)
  int64_t preload = 0;             // its first PRELOAD's cycles (0: not moved)
  auto operator<=>(const Prefetch&) const = default;
};
// How a prefetched layer finds its prefetch when it starts (times from the
// layer's start; <= 0: already done).
struct PrefetchArrival {
  bool prefetched = false, preloaded = false;
  int64_t first_ready = 0;   // its first fold's weights are in (prefetch group 0)
  int64_t ready = 0;         // all its weights and parameters are in (group 1)
  int64_t preload_done = 0;  // when preloaded: its first PRELOAD ends
};
struct LayerTiming {
  int64_t end = 0;                    // last completion of this layer's own instructions
  int64_t release = 0;                // when the closing BARRIER releases
  int64_t trailing_first_ready = 0;   // when the trailing prefetch's first group is in
  int64_t trailing_ready = 0;         // when all the trailing prefetch's transfers are in
  int64_t trailing_preload_done = 0;  // when its moved PRELOAD ends
};
// Per step: when it has completed (a load: its data is in; a store: its data
// is in DRAM; a MATMUL: its accumulators are written) and when the token it
// pushes is available (a store: its buffer is read; a MATMUL: its inputs are).
struct StepTimes {
  std::vector<int64_t> done, token;
};

// The steps' timing, from the layer's start, arriving with `in` (which times
// the steps with prefetch_group >= 0) and issuing `trailing` (the next
// layer's prefetch) behind its last round's loads.
LayerTiming time_steps(const LayerSteps& steps, const npu::Target& t, const PrefetchArrival& in = {},
                       const Prefetch& trailing = {}, StepTimes* times = nullptr);

}  // namespace etch::compiler
