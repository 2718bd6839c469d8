#include "etch/quant/float_nodes.h"

#include "etch/quant/quant_rule.h"

namespace etch::quant {

std::vector<FloatNode> float_nodes(const ir::Graph& g, const QuantPlan& plan, const std::set<std::string>& keep_float) {
  // A Relu/Clip fused into a Conv/Gemm/Add is quantized with it: the
  // activation node and the pre-activation value it reads are both integer.
  std::set<ir::NodeId> fused;
  std::set<ir::ValueId> fused_inputs;
  for (const auto& [v, act] : plan.fused) {
    fused.insert(act);
    if (const ir::Node* a = g.find_node(act)) fused_inputs.insert(a->inputs.at(0));
  }
  std::vector<FloatNode> out;
  for (const ir::Node& n : g.nodes()) {
    if (fused.count(n.id)) continue;
    bool quantized = false, float_output = false;
    for (ir::ValueId v : n.outputs) {
      if (v == ir::kNoValue) continue;
      quantized = quantized || plan.contains(v) || fused_inputs.count(v);
      float_output = float_output || g.value(v).dtype == DType::F32;
    }
    if (quantized || !float_output) continue;
    FloatNode f{n.name, n.op_type, ""};
    if (keep_float.count(n.name))
      f.why = "--keep-float";
    else if (auto it = plan.refused.find(n.id); it != plan.refused.end())
      f.why = it->second;
    else if (!find_rule(n))
      f.why = "no rule for op " + n.op_type;
    else
      f.why = "the " + n.op_type +
              " rule does not take its inputs (an input that stays float, or weights that are not a constant of "
              "the rank the rule handles)";
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace etch::quant
