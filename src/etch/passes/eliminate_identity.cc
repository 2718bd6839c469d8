#include "etch/passes/eliminate_identity.h"

#include <algorithm>

namespace etch::passes {

bool eliminate_identity(ir::Graph& g, const PassContext&) {
  std::vector<ir::NodeId> removed;
  for (const auto& n : g.nodes()) {
    const bool passthrough = n.op_type == "Identity" || (n.op_type == "Dropout" && n.outputs.size() == 1 &&
                                                         !(n.has_input(2)));  // training_mode input absent
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
