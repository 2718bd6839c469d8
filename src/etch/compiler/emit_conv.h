// Instruction emission for conv/gemm layers (and the weight image they need).
#pragma once
#include <optional>

#include "etch/compiler/conv_spec.h"
#include "etch/compiler/program_builder.h"
#include "etch/compiler/tile_plan.h"

namespace etch::compiler {

// Writes the layer's weights and requantization parameters to the weight
// image and emits its step list (conv_steps.h) under `plan`, ending with a
// BARRIER. With plan.prefetch, the BARRIER that ends the program so far (the
// previous layer's) is moved behind this layer's prefetch; with
// plan.prefetch_early, the prefetch goes before the BARRIER at index
// `early_barrier` instead (the layer before the previous one's).
void emit_conv(ProgramBuilder& b, const ConvSpec& s, const TilePlan& plan,
               std::optional<size_t> early_barrier = std::nullopt);

}  // namespace etch::compiler
