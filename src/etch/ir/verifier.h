#pragma once
#include "etch/ir/graph.h"

namespace etch::ir {

// Structural checks: ids in range, one producer per value, topological order,
// arity within the op's schema, graph outputs produced or constant. Throws
// Internal (for passes) naming the node; unknown ops are reported all at once as
// Unsupported.
void verify(const Graph& g);

// Every node whose op has no schema, as "name (Op)", in graph order.
std::vector<std::string> unsupported_nodes(const Graph& g);

}  // namespace etch::ir
