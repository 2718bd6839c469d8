// Analytical cost of one conv/gemm layer under a plan: walks the schedule's
// tiles with closed-form costs per instruction (DMA: bytes / bandwidth +
// latency on one shared channel; array: N cycles per fold, weight preload K
// cycles hidden behind the previous fold, fill/drain rows + cols; vector unit:
// elements / lanes) and the same token dependencies the emitter inserts, so
// that double-buffered overlap and exposed latencies are both counted.
#pragma once
#include <cstdint>

#include "etch/compiler/conv_spec.h"
#include "etch/compiler/schedule.h"
#include "etch/npu/target.h"

namespace etch::compiler {

int64_t predict_conv_cycles(const ConvSpec& s, const TilePlan& p, const npu::Target& t);

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
