// Instruction emission for conv/gemm layers (and the weight image they need).
#pragma once
#include <cstdint>
#include <vector>

#include "etch/compiler/conv_spec.h"
#include "etch/compiler/program_builder.h"
#include "etch/compiler/schedule.h"
#include "etch/compiler/tile_plan.h"

namespace etch::compiler {

// Emits the layer's instructions (ending with a BARRIER) under `plan`. With
// plan.prefetch, the BARRIER that ends the program so far (the previous
// layer's) is moved behind this layer's prefetch.
void emit_conv(ProgramBuilder& b, const ConvSpec& s, const TilePlan& plan);

// The pieces the emitter and the cost model share, so that both see the same
// transfers.

// Where a layer's weights are: the weight image in DRAM (values, and metadata
// when 2:4 sparse) and the start of its weight-buffer region.
struct WeightPlace {
  uint64_t values = 0, meta = 0;
  int64_t w_base = 0;
};
// The loads of iteration `it`'s weights, one group per fold (dense: values;
// sparse: values and metadata).
std::vector<std::vector<npu::Instr>> weight_loads(const ConvSpec& s, const Schedule& sc, const Iteration& it,
                                                  const npu::Target& t, const WeightPlace& w);
// The load of one output-channel tile's requantization parameters.
npu::Instr param_load(uint64_t dram, int64_t sram, int64_t tm);
// A prefetch: the weight loads and the parameter load as background loads of
// at most kPrefetchPieceBytes each, so that the previous layer's stores wait
// for at most one of them. Two groups, each pushing a token: the first fold's
// weights, whose PRELOAD may start as soon as they are in, then the other
// folds and the parameters (the second group is absent when there is only one
// fold; the parameters then join the first).
constexpr int64_t kPrefetchPieceBytes = 1024;
std::vector<std::vector<npu::Instr>> prefetch_loads(const std::vector<std::vector<npu::Instr>>& weights,
                                                    const npu::Instr& params);

}  // namespace etch::compiler
