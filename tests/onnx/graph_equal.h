// Structural comparison of two graphs by names: same inputs, outputs, nodes
// (op, domain, attributes, wiring) and constant data. Returns "" when equal,
// else the first difference.
#pragma once
#include <string>

#include "etch/ir/graph.h"

namespace etch::onnx::testing {

inline std::string value_name(const ir::Graph& g, ir::ValueId v) { return v == ir::kNoValue ? "" : g.value(v).name; }

inline std::string graph_difference(const ir::Graph& a, const ir::Graph& b) {
  if (a.opset != b.opset) return "opset " + std::to_string(a.opset) + " vs " + std::to_string(b.opset);
  if (a.inputs.size() != b.inputs.size()) return "input count differs";
  for (size_t i = 0; i < a.inputs.size(); ++i) {
    const auto &x = a.value(a.inputs[i]), &y = b.value(b.inputs[i]);
    if (x.name != y.name || x.dtype != y.dtype || x.shape != y.shape) return "input " + x.name + " vs " + y.name;
  }
  if (a.outputs.size() != b.outputs.size()) return "output count differs";
  for (size_t i = 0; i < a.outputs.size(); ++i)
    if (value_name(a, a.outputs[i]) != value_name(b, b.outputs[i])) return "output " + std::to_string(i) + " differs";
  if (a.nodes().size() != b.nodes().size())
    return "node count " + std::to_string(a.nodes().size()) + " vs " + std::to_string(b.nodes().size());
  auto check_constant = [&](ir::ValueId va, ir::ValueId vb) -> std::string {
    if (va == ir::kNoValue || vb == ir::kNoValue) return va == vb ? "" : "omitted input differs";
    const auto &x = a.value(va), &y = b.value(vb);
    if (x.is_constant() != y.is_constant()) return "constness of '" + x.name + "' differs";
    if (x.is_constant() && !x.data->equals(*y.data)) return "constant '" + x.name + "' differs";
    return "";
  };
  for (size_t i = 0; i < a.nodes().size(); ++i) {
    const ir::Node &n = a.nodes()[i], &m = b.nodes()[i];
    if (n.name != m.name || n.op_type != m.op_type || n.domain != m.domain)
      return "node " + n.describe() + " vs " + m.describe();
    if (n.inputs.size() != m.inputs.size() || n.outputs.size() != m.outputs.size())
      return n.describe() + ": arity differs";
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      if (value_name(a, n.inputs[k]) != value_name(b, m.inputs[k]))
        return n.describe() + ": input " + std::to_string(k) + " differs";
      std::string c = check_constant(n.inputs[k], m.inputs[k]);
      if (!c.empty()) return n.describe() + ": " + c;
    }
    for (size_t k = 0; k < n.outputs.size(); ++k)
      if (value_name(a, n.outputs[k]) != value_name(b, m.outputs[k])) return n.describe() + ": output differs";
    if (n.attrs.size() != m.attrs.size()) return n.describe() + ": attribute count differs";
    for (const auto& [k, v] : n.attrs) {
      auto it = m.attrs.find(k);
      if (it == m.attrs.end() || !ir::attribute_equal(v, it->second))
        return n.describe() + ": attribute '" + k + "' differs";
    }
  }
  for (size_t i = 0; i < a.outputs.size(); ++i) {
    std::string c = check_constant(a.outputs[i], b.outputs[i]);
    if (!c.empty()) return "graph output: " + c;
  }
  return "";
}

}  // namespace etch::onnx::testing
