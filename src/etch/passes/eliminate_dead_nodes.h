#pragma once
#include "etch/passes/pass.h"

namespace etch::passes {
// Removes nodes none of whose outputs reach a graph output.
bool eliminate_dead_nodes(ir::Graph& g, const PassContext& ctx);
}  // namespace etch::passes
