// Instruction emission for conv/gemm layers (and the weight image they need).
#pragma once
#include "etch/compiler/conv_spec.h"
#include "etch/compiler/program_builder.h"
#include "etch/compiler/tile_plan.h"

namespace etch::compiler {

// Emits the layer's instructions (ending with a BARRIER) under `plan`.
void emit_conv(ProgramBuilder& b, const ConvSpec& s, const TilePlan& plan);

}  // namespace etch::compiler
