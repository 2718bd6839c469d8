// Analytical cost of one conv/gemm layer under a plan: the timing
// (step_timing.h) of the same step list the emitter emits (conv_steps.h), with
// closed-form costs per step (DMA: bytes / bandwidth + latency on one shared
// channel; array: N cycles per fold, weight preload K cycles hidden behind
// the previous fold, fill/drain rows + cols; vector unit: elements / lanes)
// and the dependencies the emitter turns into tokens, so that
// double-buffered overlap and exposed latencies are both counted.
#pragma once
#include <cstdint>
#include <vector>

#include "etch/compiler/conv_spec.h"
#include "etch/compiler/schedule.h"
#include "etch/compiler/step_timing.h"
#include "etch/compiler/tile_plan.h"
#include "etch/npu/target.h"

namespace etch::compiler {

// One layer's timing, arriving with `in` and issuing `trailing` (the next
// layer's prefetch) behind itself: the timing of its step list.
LayerTiming conv_timing(const ConvSpec& s, const TilePlan& p, const npu::Target& t, const PrefetchArrival& in = {},
                        const Prefetch& trailing = {});
// The same with p's schedule (make_schedule(s, p, t)) already made: a search
// times one plan in several prefetch variants, all on one schedule.
LayerTiming conv_timing(const ConvSpec& s, const TilePlan& p, const npu::Target& t, const Schedule& sc,
                        const PrefetchArrival& in, const Prefetch& trailing = {});
int64_t predict_conv_cycles(const ConvSpec& s, const TilePlan& p, const npu::Target& t);
// The prefetch of a layer under plan p, with its first PRELOAD moved.
Prefetch prefetch_of(const ConvSpec& s, const TilePlan& p, const npu::Target& t);

// Lower bounds for the efficiency report: fold-granular compute (every fold
// streams all its pixels, plus one fill/drain) and compulsory DRAM traffic
// (weights, parameters, input and output once; not an input or output kept
// on chip) over the bandwidth.
struct ConvBounds {
  int64_t compute_cycles = 0;
  int64_t dram_bytes = 0;
  int64_t dram_cycles = 0;
  int64_t bound() const { return compute_cycles > dram_cycles ? compute_cycles : dram_cycles; }
};
ConvBounds conv_bounds(const ConvSpec& s, const npu::Target& t);

}  // namespace etch::compiler
