// The layer emitted right before a conv/gemm layer in the same segment, as
// the mapper needs it to score prefetching behind it: its step list (to time
// it with the prefetch trailing its loads), how its own prefetch arrived, its
// end, and the weight-buffer bytes it uses (the prefetch must land beside
// them). A conv/gemm layer gives its schedule's steps; a vector-unit layer
// (a table lookup, pooling, an add, a copy) the steps read back from the
// instructions it emitted.
#pragma once
#include <cstdint>
#include <optional>
#include <span>

#include "etch/compiler/conv_spec.h"
#include "etch/compiler/layer_steps.h"
#include "etch/compiler/step_timing.h"
#include "etch/compiler/tile_plan.h"
#include "etch/npu/isa.h"
#include "etch/npu/target.h"

namespace etch::compiler {

struct PrevLayer {
  LayerSteps steps{false};
  PrefetchArrival in;                    // its own prefetch
  int64_t end = 0;                       // its own instructions' end, without a trailing prefetch
  int64_t weight_lo = 0, weight_hi = 0;  // the weight-buffer bytes [lo, hi) it uses
};

// A conv/gemm layer under plan p, arriving with `in`, ending at `end`.
PrevLayer conv_prev_layer(const ConvSpec& s, const TilePlan& p, const PrefetchArrival& in, int64_t end,
                          const npu::Target& t);

// A vector-unit layer from its instructions (without the closing BARRIER):
// one step per LOAD, STORE and vector-unit instruction, its dependencies
// those its tokens state. nullopt when it issues anything else (a SYNC, the
// array's instructions) or pops a token it did not push: no prefetch then.
std::optional<PrevLayer> vector_prev_layer(std::span<const npu::Instr> instrs, const npu::Target& t);

}  // namespace etch::compiler
