#include "etch/passes/eliminate_identity.h"

#include <algorithm>

#include "etch/ir/op_registry.h"

namespace etch::passes {

bool eliminate_identity(ir::Graph& g, const PassContext&) {
  std::vector<ir::NodeId> removed;
  for (const auto& n : g.nodes()) {
    // Identity, and Dropout with no mask output and no training_mode input (2).
    const bool passthrough = ir::has_trait(n, ir::OpTrait::kPassthrough) && n.outputs.size() == 1 && !n.has_input(2);
    if (!passthrough || !n.has_input(0)) continue;
    const ir::ValueId out = n.outputs[0];
    if (std::find(g.outputs.begin(), g.outputs.end(), out) != g.outputs.end()) continue;
    g.replace_all_uses(out, n.inputs[0]);
    removed.push_back(n.id);
  }
  if (!removed.empty()) g.remove_nodes(removed);
  return !removed.empty();
}

}  // namespace etch::passes
