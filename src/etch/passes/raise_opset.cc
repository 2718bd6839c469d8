#include "etch/passes/raise_opset.h"

#include <vector>

namespace etch::passes {
namespace {

bool is_softmax_family(const ir::Node& n) {
  return n.domain.empty() && (n.op_type == "Softmax" || n.op_type == "LogSoftmax" || n.op_type == "Hardmax");
}

bool axes_moved_to_input(const ir::Node& n) {
  return n.domain.empty() && (n.op_type == "Squeeze" || n.op_type == "Unsqueeze" || n.op_type == "ReduceSum");
}

// Why n cannot keep its meaning at opset 13 ("" when it can).
std::string blocker(const ir::Graph& g, const ir::Node& n) {
  if (!is_softmax_family(n)) return "";
  const ir::Value& x = g.value(n.inputs[0]);
  if (!x.has_shape) return n.describe() + " has an input of unknown rank";
  const int64_t rank = static_cast<int64_t>(x.shape.size());
  int64_t axis = n.attr_int("axis", 1);
  if (axis < 0) axis += rank;
  if (axis != rank - 1)
    return n.describe() + " works over axes " + std::to_string(axis) + ".." + std::to_string(rank - 1) +
           " (opset < 13 meaning), which opset 13 cannot express in one node";
  return "";
}

ir::ValueId ints_constant(ir::Graph& g, const ir::Node& n, const std::string& what, const std::vector<int64_t>& v) {
  return g.add_constant(g.unique_name(n.name + "_" + what),
                        Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v));
}

}  // namespace

std::string raise_to_opset13(ir::Graph& g) {
  if (g.opset >= 13) return "";
  if (g.opset < 11) return "the model is opset " + std::to_string(g.opset) + " (etch raises opset 11 and 12 only)";
  for (const ir::Node& n : g.nodes())
    if (std::string why = blocker(g, n); !why.empty()) return why;
  // Rewrite by index: add_constant does not touch nodes, but keep no references across it.
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    const ir::Node n = g.nodes()[i];
    if (is_softmax_family(n)) {
      g.nodes()[i].attrs["axis"] = static_cast<int64_t>(-1);
    } else if (axes_moved_to_input(n) && n.has_attr("axes")) {
      const ir::ValueId axes = ints_constant(g, n, "axes", n.attr_ints("axes"));
      ir::Node& m = g.nodes()[i];
      m.attrs.erase("axes");
      m.inputs.resize(1);
      m.inputs.push_back(axes);
    } else if (n.domain.empty() && n.op_type == "Split" && n.has_attr("split")) {
      const ir::ValueId split = ints_constant(g, n, "split", n.attr_ints("split"));
      ir::Node& m = g.nodes()[i];
      m.attrs.erase("split");
      m.inputs.resize(1);
      m.inputs.push_back(split);
    }
  }
  g.opset = 13;
  return "";
}

}  // namespace etch::passes
