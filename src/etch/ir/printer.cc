#include "etch/ir/printer.h"

#include <sstream>

namespace etch::ir {

namespace {
std::string value_str(const Graph& g, ValueId v) {
  if (v == kNoValue) return "_";
  const Value& val = g.value(v);
  return "%" + val.name + ":" + dtype_name(val.dtype) + (val.has_shape ? shape_str(val.shape) : "[*]");
}
}  // namespace

std::string print_graph(const Graph& g) {
  std::ostringstream ss;
  ss << "graph " << g.name << " (opset " << g.opset << ")\n";
  for (ValueId v : g.inputs) ss << "  input " << value_str(g, v) << "\n";
  for (int v = 0; v < g.num_values(); ++v)
    if (g.value(v).is_constant() && g.value(v).producer < 0) ss << "  const " << value_str(g, v) << "\n";
  for (const auto& n : g.nodes()) {
    ss << "  ";
    for (size_t i = 0; i < n.outputs.size(); ++i) ss << (i ? ", " : "") << value_str(g, n.outputs[i]);
    ss << " = " << (n.domain.empty() ? "" : n.domain + ".") << n.op_type << "(";
    for (size_t i = 0; i < n.inputs.size(); ++i)
      ss << (i ? ", " : "") << (n.inputs[i] == kNoValue ? "_" : "%" + g.value(n.inputs[i]).name);
    ss << ")";
    if (!n.attrs.empty()) {
      ss << " {";
      bool first = true;
      for (const auto& [k, a] : n.attrs) {
        ss << (first ? "" : ", ") << k << "=" << attribute_str(a);
        first = false;
      }
      ss << "}";
    }
    ss << "  # " << n.name << "\n";
  }
  for (ValueId v : g.outputs) ss << "  output " << value_str(g, v) << "\n";
  return ss.str();
}

}  // namespace etch::ir
