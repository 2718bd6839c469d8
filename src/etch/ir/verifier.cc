#include "etch/ir/verifier.h"

#include <set>

#include "etch/ir/op_registry.h"

namespace etch::ir {

std::vector<std::string> unsupported_nodes(const Graph& g) {
  std::vector<std::string> out;
  for (const auto& n : g.nodes())
    if (!find_op(n.op_type, n.domain))
      out.push_back("'" + n.name + "' (" + (n.domain.empty() ? "" : n.domain + ".") + n.op_type + ")");
  return out;
}

void verify(const Graph& g) {
  auto bad = unsupported_nodes(g);
  if (!bad.empty()) {
    std::string list;
    for (size_t i = 0; i < bad.size(); ++i) list += (i ? ", " : "") + bad[i];
    ETCH_FAIL(Unsupported) << bad.size() << " node(s) use ops etch does not support: " << list;
  }
  std::set<ValueId> defined;
  for (int v = 0; v < g.num_values(); ++v)
    if (g.value(v).producer < 0 && (g.value(v).is_constant())) defined.insert(v);
  for (ValueId v : g.inputs) {
    ETCH_CHECK(v >= 0 && v < g.num_values()) << "graph input id " << v << " out of range";
    defined.insert(v);
  }
  std::set<NodeId> ids;
  for (const auto& n : g.nodes()) {
    ETCH_CHECK(ids.insert(n.id).second) << "duplicate node id " << n.id;
    const OpSchema* s = find_op(n.op_type, n.domain);
    const int ni = static_cast<int>(n.inputs.size()), no = static_cast<int>(n.outputs.size());
    ETCH_CHECK(ni >= s->min_inputs && ni <= s->max_inputs)
        << n.describe() << " has " << ni << " inputs, expected " << s->min_inputs << ".." << s->max_inputs;
    ETCH_CHECK(no >= s->min_outputs && no <= s->max_outputs)
        << n.describe() << " has " << no << " outputs, expected " << s->min_outputs << ".." << s->max_outputs;
    for (ValueId in : n.inputs) {
      if (in == kNoValue) continue;
      ETCH_CHECK(in >= 0 && in < g.num_values()) << n.describe() << " reads value id " << in << " out of range";
      ETCH_CHECK(defined.count(in)) << n.describe() << " reads '" << g.value(in).name
                                    << "' before it is produced (not in topological order)";
    }
    for (ValueId out : n.outputs) {
      ETCH_CHECK(out >= 0 && out < g.num_values()) << n.describe() << " writes value id " << out << " out of range";
      ETCH_CHECK(!defined.count(out)) << n.describe() << " writes '" << g.value(out).name
                                      << "' which already has a producer";
      ETCH_CHECK(g.value(out).producer == n.id) << "value '" << g.value(out).name << "' has a stale producer";
      defined.insert(out);
    }
  }
  for (ValueId o : g.outputs)
    ETCH_CHECK(defined.count(o)) << "graph output '" << g.value(o).name << "' is never produced";
}

}  // namespace etch::ir
