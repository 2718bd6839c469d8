#include "etch/passes/compose_lookup_tables.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "etch/ir/ops/qint_ops.h"

namespace etch::passes {
namespace {

// The node's 256-entry int8 table, or nullptr when it is not a QLut with one.
const Tensor* table_of(const ir::Graph& g, const ir::Node& n) {
  if (n.op_type != "QLut" || n.domain != ir::kEtchDomain || !n.has_input(1)) return nullptr;
  const ir::Value& t = g.value(n.inputs[1]);
  if (!t.data || t.data->dtype() != DType::I8 || t.data->numel() != 256) return nullptr;
  return &*t.data;
}

// A QLut reading a QLut that only it reads: (first, second), or (-1, -1).
std::pair<ir::NodeId, ir::NodeId> find_chain(const ir::Graph& g) {
  for (const ir::Node& second : g.nodes()) {
    if (!table_of(g, second)) continue;
    const ir::ValueId mid = second.inputs[0];
    const int p = g.value(mid).producer;
    const ir::Node* first = p < 0 ? nullptr : g.find_node(p);
    if (!first || !table_of(g, *first)) continue;
    if (std::find(g.outputs.begin(), g.outputs.end(), mid) != g.outputs.end()) continue;
    if (g.consumers(mid).size() != 1) continue;
    return {first->id, second.id};
  }
  return {-1, -1};
}

}  // namespace

bool compose_lookup_tables(ir::Graph& g, const PassContext&) {
  bool changed = false;
  for (auto [a, b] = find_chain(g); a >= 0; std::tie(a, b) = find_chain(g)) {
    const ir::Node first = *g.find_node(a);
    const ir::Node& second = *g.find_node(b);
    const int8_t* t1 = table_of(g, first)->data<int8_t>();
    const int8_t* t2 = table_of(g, second)->data<int8_t>();
    Tensor composed(DType::I8, {256});
    for (int i = 0; i < 256; ++i) composed.data<int8_t>()[i] = t2[t1[i] + 128];
    const std::string function = first.attr_string("function", "QLut") + "," + second.attr_string("function", "QLut");
    const ir::ValueId table = g.add_constant(g.value(second.inputs[1]).name + "_composed", std::move(composed));
    ir::Node& s = *g.find_node(b);
    s.inputs = {first.inputs[0], table};
    s.attrs["function"] = ir::Attribute(function);
    g.remove_nodes({a});
    g.rebuild_producers();
    changed = true;
  }
  return changed;
}

}  // namespace etch::passes
