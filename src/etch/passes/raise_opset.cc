#include "etch/passes/raise_opset.h"

#include <map>
#include <string>
#include <vector>

namespace etch::passes {
namespace {

// The ops whose meaning or signature changed on the way to opset 13, and how
// each is rewritten (one adapter per op, as in ONNX's version converter).
enum class Change {
  kAxisToLast,   // Softmax family: the 2-D coercion around `axis` became one axis
  kAttrToInput,  // an int list attribute became input 1
};
struct Adapter {
  Change change;
  const char* attr = "";  // kAttrToInput: the attribute that moved
};

const Adapter* adapter_for(const ir::Node& n) {
  static const std::map<std::string, Adapter> adapters = {
      {"Softmax", {Change::kAxisToLast}},
      {"LogSoftmax", {Change::kAxisToLast}},
      {"Hardmax", {Change::kAxisToLast}},
      {"Squeeze", {Change::kAttrToInput, "axes"}},
      {"Unsqueeze", {Change::kAttrToInput, "axes"}},
      {"ReduceSum", {Change::kAttrToInput, "axes"}},
      {"Split", {Change::kAttrToInput, "split"}},
  };
  if (!n.domain.empty()) return nullptr;
  const auto it = adapters.find(n.op_type);
  return it == adapters.end() ? nullptr : &it->second;
}

// Why n cannot keep its meaning at opset 13 ("" when it can).
std::string blocker(const ir::Graph& g, const ir::Node& n) {
  const Adapter* a = adapter_for(n);
  if (!a || a->change != Change::kAxisToLast) return "";
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
    const Adapter* a = adapter_for(n);
    if (!a) continue;
    if (a->change == Change::kAxisToLast) {
      g.nodes()[i].attrs["axis"] = static_cast<int64_t>(-1);
    } else if (n.has_attr(a->attr)) {
      const ir::ValueId moved = ints_constant(g, n, a->attr, n.attr_ints(a->attr));
      ir::Node& m = g.nodes()[i];
      m.attrs.erase(a->attr);
      m.inputs.resize(1);
      m.inputs.push_back(moved);
    }
  }
  g.opset = 13;
  return "";
}

}  // namespace etch::passes
