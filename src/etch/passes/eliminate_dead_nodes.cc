#include "etch/passes/eliminate_dead_nodes.h"

#include <set>

namespace etch::passes {

bool eliminate_dead_nodes(ir::Graph& g, const PassContext&) {
  std::set<ir::ValueId> live(g.outputs.begin(), g.outputs.end());
  std::vector<ir::NodeId> dead;
  const auto& nodes = g.nodes();
  for (size_t k = nodes.size(); k-- > 0;) {
    const ir::Node& n = nodes[k];
    bool used = false;
    for (ir::ValueId o : n.outputs) used = used || live.count(o);
    if (!used) {
      dead.push_back(n.id);
      continue;
    }
    for (ir::ValueId i : n.inputs)
      if (i != ir::kNoValue) live.insert(i);
  }
  if (!dead.empty()) g.remove_nodes(dead);
  return !dead.empty();
}

}  // namespace etch::passes
