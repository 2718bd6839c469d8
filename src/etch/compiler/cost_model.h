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

// Cross-layer prefetch, as the cost model sees one layer. A prefetched
// layer's first-iteration weights and parameters are loaded (as background
// pieces, after the previous layer's last load) before the BARRIER that opens
// it, and optionally its first fold's PRELOAD too (the previous layer's last
// compute instruction).
// A prefetch is cut into background loads of at most this many bytes, so the
// previous layer's stores wait for at most one of them.
constexpr int64_t kPrefetchPieceBytes = 1024;

struct LayerLink {
  // This layer's own prefetch (times from the layer's start, may be <= 0).
  bool prefetched = false, preloaded = false;
  int64_t prefetch_ready = 0;  // its weights and parameters are in
  int64_t preload_done = 0;    // when preloaded: its first PRELOAD ends
  // The next layer's prefetch, issued by this one.
  std::vector<int64_t> trailing;  // transfers (bytes, in order)
  int64_t trailing_preload = 0;   // its first PRELOAD (cycles; 0: not moved here)
};
struct ConvTiming {
  int64_t end = 0;                    // last completion of this layer's own instructions
  int64_t release = 0;                // when the closing BARRIER releases
  int64_t trailing_ready = 0;         // when the trailing transfers are in
  int64_t trailing_preload_done = 0;  // when the moved PRELOAD ends
};
ConvTiming conv_timing(const ConvSpec& s, const TilePlan& p, const npu::Target& t, const LayerLink& link = {});
int64_t predict_conv_cycles(const ConvSpec& s, const TilePlan& p, const npu::Target& t);

// What prefetching a layer issues: the transfers (bytes, in emission order)
// of its first iteration's weights and parameters, and its first PRELOAD's
// length (when `with_preload`).
LayerLink prefetch_of(const ConvSpec& s, const TilePlan& p, const npu::Target& t, bool with_preload);

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
