#pragma once
#include "etch/passes/pass.h"

namespace etch::passes {
// Bypasses Identity and inference-mode Dropout (their output is their input).
// A node whose output is a graph output is kept so the output name survives.
bool eliminate_identity(ir::Graph& g, const PassContext& ctx);
}  // namespace etch::passes
