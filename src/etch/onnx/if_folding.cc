// If folding at import. ONNX's If (opset 1-19) runs then_branch or else_branch
// by a single-element bool condition; the branches take no inputs, read any
// value of the enclosing scopes by name, and their outputs become the If's
// outputs in order. etch has no control flow, so an If is only taken in when
// its condition is a constant once the graph before it is folded (typically a
// sample-rate or shape test): the taken branch's nodes are converted in place
// of the If, recursively for If nodes inside it, and the other branch is dropped.
#include <set>

#include "etch/core/error.h"
#include "etch/onnx/converter.h"

namespace etch::onnx {

using ::onnx::GraphProto;
using ::onnx::NodeProto;

namespace {

// The graph inputs a value depends on, in graph order.
std::vector<std::string> inputs_reaching(const ir::Graph& g, ir::ValueId v) {
  std::set<ir::ValueId> seen{v};
  std::vector<ir::ValueId> stack{v};
  while (!stack.empty()) {
    const ir::Value& val = g.value(stack.back());
    stack.pop_back();
    const ir::Node* p = val.producer >= 0 ? g.find_node(val.producer) : nullptr;
    if (!p) continue;
    for (ir::ValueId in : p->inputs)
      if (in != ir::kNoValue && seen.insert(in).second) stack.push_back(in);
  }
  std::vector<std::string> out;
  for (ir::ValueId in : g.inputs)
    if (seen.count(in)) out.push_back(g.value(in).name);
  return out;
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "'" : ", '") + n + "'";
  return s;
}

}  // namespace

bool Converter::constant_condition(ir::ValueId cond, const std::string& desc) {
  if (!g_.value(cond).is_constant() && fold_) fold_(g_);
  const ir::Value& v = g_.value(cond);
  if (!v.is_constant()) {
    const std::vector<std::string> ins = inputs_reaching(g_, cond);
    if (ins.empty())
      ETCH_FAIL(Unsupported) << label_ << ": " << desc << ": its condition '" << v.name
                             << "' could not be folded to a constant; etch has no control flow and folds If only "
                                "on a constant condition";
    ETCH_FAIL(Unsupported) << label_ << ": " << desc << ": its condition '" << v.name
                           << "' is not a constant: it depends on model input(s) " << quoted_list(ins)
                           << "; etch has no control flow and folds If only on a constant condition: bind the "
                              "input to the value it always has with --const-input NAME=VALUE (for a corpus model: "
                              "kind = \"constant\" in its manifest entry)";
  }
  ETCH_REQUIRE(v.data->numel() == 1, InvalidInput)
      << label_ << ": " << desc << ": its condition '" << v.name << "' has shape " << shape_str(v.data->shape())
      << "; If needs a single-element condition";
  return v.data->get_as_double(0) != 0;
}

void Converter::add_if_node(const NodeProto& n, const std::string& name) {
  const std::string desc = "node '" + name + "' (If)";
  ETCH_REQUIRE(n.input_size() == 1 && !n.input(0).empty(), InvalidInput)
      << label_ << ": " << desc << " must have exactly one input (the condition)";
  auto cond = by_name_.find(n.input(0));
  ETCH_REQUIRE(cond != by_name_.end(), InvalidInput)
      << label_ << ": " << desc << " reads '" << n.input(0) << "', which is not defined before it";
  const GraphProto *then_branch = nullptr, *else_branch = nullptr;
  for (const auto& a : n.attribute()) {
    if (a.name() == "then_branch" && a.has_g()) then_branch = &a.g();
    if (a.name() == "else_branch" && a.has_g()) else_branch = &a.g();
  }
  ETCH_REQUIRE(then_branch && else_branch, InvalidInput)
      << label_ << ": " << desc << " needs graph attributes 'then_branch' and 'else_branch'";
  const bool taken = constant_condition(cond->second, desc);
  inline_branch(taken ? *then_branch : *else_branch, n, name);
}

void Converter::inline_branch(const GraphProto& branch, const NodeProto& n, const std::string& name) {
  const std::string desc = "node '" + name + "' (If)";
  ETCH_REQUIRE(branch.output_size() == n.output_size(), InvalidInput)
      << label_ << ": " << desc << ": its branch '" << branch.name() << "' has " << branch.output_size()
      << " outputs, the node " << n.output_size();
  branch_scopes_.emplace_back();
  collect_infos(branch);
  add_initializers(branch);
  for (int i = 0; i < branch.node_size(); ++i) add_node(branch.node(i), i);
  std::vector<ir::ValueId> results;
  for (const auto& o : branch.output()) {
    auto it = by_name_.find(o.name());
    ETCH_REQUIRE(it != by_name_.end(), InvalidInput)
        << label_ << ": " << desc << ": branch output '" << o.name() << "' is never produced";
    results.push_back(it->second);
  }
  // The branch's own names go out of scope; its values stay in the graph.
  std::set<ir::ValueId> inner;
  for (const auto& s : branch_scopes_.back()) {
    inner.insert(by_name_.at(s));
    by_name_.erase(s);
  }
  branch_scopes_.pop_back();
  std::set<ir::ValueId> renamed;
  for (int j = 0; j < n.output_size(); ++j) {
    const std::string& out = n.output(j);
    if (out.empty()) continue;
    ETCH_REQUIRE(!by_name_.count(out), InvalidInput)
        << label_ << ": " << desc << ": value '" << out << "' is defined twice";
    const ir::ValueId r = results[j];
    ir::Value& rv = g_.value(r);
    TypeResult t;
    if (auto info = infos_.find(out); info != infos_.end())
      t = convert_type(info->second->type(), "tensor '" + out + "'", label_);
    if (inner.count(r) && !rv.is_constant() && renamed.insert(r).second) {
      // A value the branch computes takes the If output's name (a model
      // output keeps the name its users know).
      rv.name = out;
      if (!rv.has_shape && t.has_shape) {
        rv.dtype = t.dtype;
        rv.shape = t.shape;
        rv.has_shape = true;
      }
      define(out, r);
      continue;
    }
    // A value from outside the branch, a constant, or one output twice: an
    // Identity gives the If output its own value.
    const ir::ValueId v =
        t.has_shape ? g_.add_value(out, t.dtype, t.shape) : g_.add_value(out, rv.dtype, rv.shape, rv.has_shape);
    define(out, v);
    std::string node = name + "/" + out;
    while (node_names_.count(node)) node += "_";
    node_names_.insert(node);
    g_.add_node("Identity", {r}, {v}, node);
  }
}

}  // namespace etch::onnx
