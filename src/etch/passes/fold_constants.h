#pragma once
#include "etch/passes/pass.h"

namespace etch::passes {
// Evaluates nodes whose inputs are all constants (through ctx.evaluate) and
// replaces their outputs by constant values; Shape of a statically shaped value
// folds too. Graph outputs stay produced by nodes.
bool fold_constants(ir::Graph& g, const PassContext& ctx);
}  // namespace etch::passes
