// Analytical cost of one conv/gemm layer under a plan: walks the schedule's
// tiles with closed-form costs per instruction (DMA: bytes / bandwidth +
// latency on one shared channel; array: N cycles per fold, weight preload K
// cycles hidden behind the previous fold, fill/drain rows + cols; vector unit:
// elements / lanes) and the same token dependencies the emitter inserts, so
// that double-buffered overlap and exposed latencies are both counted.
#pragma once
#include <cstdint>
#include <vector>

#include "etch/compiler/conv_spec.h"
#include "etch/compiler/schedule.h"
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
  int64_t first_ready = 0;   // its first fold's weights are in
  int64_t ready = 0;         // all its weights and parameters are in
  int64_t preload_done = 0;  // when preloaded: its first PRELOAD ends
};
struct ConvTiming {
  int64_t end = 0;                    // last completion of this layer's own instructions
  int64_t release = 0;                // when the closing BARRIER releases
  int64_t trailing_first_ready = 0;   // when the trailing prefetch's first group is in
  int64_t trailing_ready = 0;         // when all the trailing prefetch's transfers are in
  int64_t trailing_preload_done = 0;  // when its moved PRELOAD ends
};
// One layer's timing, arriving with `in` and issuing `trailing` (the next
// layer's prefetch) behind itself.
ConvTiming conv_timing(const ConvSpec& s, const TilePlan& p, const npu::Target& t, const PrefetchArrival& in = {},
                       const Prefetch& trailing = {});
int64_t predict_conv_cycles(const ConvSpec& s, const TilePlan& p, const npu::Target& t);
// The prefetch of a layer under plan p, with its first PRELOAD moved.
Prefetch prefetch_of(const ConvSpec& s, const TilePlan& p, const npu::Target& t);
// Cycles a transfer of `bytes` occupies the DRAM channel.
int64_t dram_occupancy(int64_t bytes, const npu::Target& t);

// Lower bounds for the efficiency report: fold-granular compute (every fold
// streams all its pixels, plus one fill/drain) and compulsory DRAM traffic
// (weights, parameters, input and output once) over the bandwidth.
struct ConvBounds {
  int64_t compute_cycles = 0;
  int64_t dram_bytes = 0;
  int64_t dram_cycles = 0;
  int64_t bound() const { return compute_cycles > dram_cycles ? compute_cycles : dram_cycles; }
};
ConvBounds conv_bounds(const ConvSpec& s, const npu::Target& t);

}  // namespace etch::compiler
