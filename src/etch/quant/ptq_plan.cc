#include "etch/quant/ptq_plan.h"

#include <algorithm>

#include "etch/ir/op_registry.h"
#include "etch/passes/activation_fusion.h"
#include "etch/quant/quant_rule.h"

namespace etch::quant {

bool QuantPlan::contains(ir::ValueId v) const { return std::find(values.begin(), values.end(), v) != values.end(); }

namespace {
bool float_activation(const ir::Graph& g, ir::ValueId v) {
  const ir::Value& val = g.value(v);
  return !val.is_constant() && val.dtype == DType::F32;
}

bool const_f32(const ir::Graph& g, const ir::Node& n, size_t i) {
  if (!n.has_input(i)) return false;
  const ir::Value& v = g.value(n.inputs[i]);
  return v.data && v.data->dtype() == DType::F32;
}

// The float graph's side of a compute rule: its activation inputs are float
// tensors, its weight (and bias) float constants of the rule's shape.
bool compute_inputs_ok(const ir::Graph& g, const ir::Node& n, const QuantRule& r) {
  if (n.inputs.size() < r.activation_inputs) return false;
  for (size_t i = 0; i < r.activation_inputs; ++i)
    if (n.inputs[i] == ir::kNoValue || !float_activation(g, n.inputs[i])) return false;
  if (!r.weights) return true;
  if (!const_f32(g, n, 1)) return false;
  const Tensor& w = *g.value(n.inputs[1]).data;
  const int64_t m = w.rank() > 0 ? w.dim(0) : 0;
  if (n.has_input(2) && !(const_f32(g, n, 2) && g.value(n.inputs[2]).data->numel() == m)) return false;
  return w.rank() == r.weight_rank;
}

// An any-inputs rule's float side: each input a float activation or a float
// constant, at least one of them an activation. Its activation inputs, in order.
std::vector<ir::ValueId> any_activation_inputs(const ir::Graph& g, const ir::Node& n) {
  std::vector<ir::ValueId> acts;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    if (float_activation(g, n.inputs[i]))
      acts.push_back(n.inputs[i]);
    else if (!const_f32(g, n, i))
      return {};
  }
  return acts;
}

bool constants_all_zero(const ir::Graph& g, const ir::Node& n) {
  for (ir::ValueId v : n.inputs) {
    const ir::Value& val = g.value(v);
    if (!val.data) continue;
    for (int64_t i = 0; i < val.data->numel(); ++i)
      if (val.data->get_as_double(i) != 0.0) return false;
  }
  return true;
}
}  // namespace

QuantPlan plan_quantization(const ir::Graph& g, const std::set<std::string>& keep_float) {
  QuantPlan plan;
  std::set<ir::ValueId> q;
  std::set<ir::NodeId> absorbed;                                          // activations fused into their producer
  std::vector<std::pair<ir::ValueId, std::vector<ir::ValueId>>> concats;  // output, activation inputs
  auto mark = [&](ir::ValueId v) {
    if (q.insert(v).second) plan.values.push_back(v);
  };
  for (const ir::Node& n : g.nodes()) {
    if (absorbed.count(n.id) || keep_float.count(n.name)) continue;
    const QuantRule* rule = find_rule(n);
    if (!rule || n.outputs.size() != 1 || n.inputs.empty() || n.inputs[0] == ir::kNoValue) continue;
    if (rule->kind == RuleKind::kCompute && rule->any_inputs) {
      const std::vector<ir::ValueId> acts = any_activation_inputs(g, n);
      if (acts.empty()) continue;
      if (std::string why = rule->why_not(g, n, g.value(acts[0])); !why.empty()) {
        plan.refused[n.id] = why;
        continue;
      }
      for (ir::ValueId v : acts) mark(v);
      mark(n.outputs[0]);
      // Zero padding of one tensor: its grid holds the zeros exactly.
      if (acts.size() == 1 && constants_all_zero(g, n))
        plan.inherited[n.outputs[0]] = acts[0];
      else
        concats.emplace_back(n.outputs[0], acts);
      continue;
    }
    if (rule->kind == RuleKind::kCompute) {
      if (!compute_inputs_ok(g, n, *rule)) continue;
      if (std::string why = rule->why_not(g, n, g.value(n.inputs[0])); !why.empty()) {
        plan.refused[n.id] = why;
        continue;
      }
      ir::ValueId out = n.outputs[0];
      if (auto f = passes::fused_activation(g, n);
          rule->fuses_activation && f && !keep_float.count(g.find_node(f->activation)->name)) {
        absorbed.insert(f->activation);
        out = g.find_node(f->activation)->outputs[0];
        plan.fused[out] = f->activation;
      }
      for (size_t i = 0; i < rule->activation_inputs; ++i) mark(n.inputs[i]);
      mark(out);
      if (rule->weights) plan.layers.push_back({n.id, n.inputs[0], out});
      continue;
    }
    if (!q.count(n.inputs[0])) continue;
    if (std::string why = rule->why_not(g, n, g.value(n.inputs[0])); !why.empty()) {
      plan.refused[n.id] = why;
      continue;
    }
    mark(n.outputs[0]);
    if (rule->kind == RuleKind::kDataMovement) plan.shared[n.outputs[0]] = n.inputs[0];
  }
  // Outputs in [0, 1]: 1/256 and -128, so the int8 grid covers [0, 1) exactly
  // (DESIGN.md), whatever the calibration data showed.
  for (ir::ValueId v : plan.values) {
    const int p = g.value(v).producer;
    const ir::Node* n = p < 0 ? nullptr : g.find_node(p);
    if (n && n->domain.empty() && ir::has_trait(*n, ir::OpTrait::kUnitIntervalOutput))
      plan.fixed[v] = QuantParams{{1.0f / 256.0f}, {-128}, -1};
  }
  // An input only this concatenation reads, with no grid of its own to keep,
  // is written on the output's grid.
  for (const auto& [out, acts] : concats)
    for (ir::ValueId v : acts) {
      const bool graph_output = std::find(g.outputs.begin(), g.outputs.end(), v) != g.outputs.end();
      if (g.consumers(v).size() != 1 || graph_output || plan.shared.count(v) || plan.fixed.count(v) ||
          plan.inherited.count(v))
        continue;
      plan.inherited[v] = out;
    }
  // Resolve chains of sharing to the calibrated root.
  for (auto& [v, src] : plan.shared)
    while (plan.shared.count(src)) src = plan.shared.at(src);
  for (auto& [v, src] : plan.inherited)
    while (plan.inherited.count(src)) src = plan.inherited.at(src);
  return plan;
}

}  // namespace etch::quant
