#include "etch/passes/activation_fusion.h"

#include <algorithm>

#include "etch/ir/op_registry.h"

namespace etch::passes {

namespace {
// The activations the vector unit applies as the requantization clamp: this
// file is their one definition.
constexpr const char* kRelu = "Relu";
constexpr const char* kClip = "Clip";
}  // namespace

bool accepts_fused_activation(const ir::Node& p) {
  return p.domain.empty() && p.outputs.size() == 1 && ir::has_trait(p, ir::OpTrait::kFusesActivation);
}

std::optional<ActivationFusion> activation_bounds(const ir::Graph& g, const ir::Node& act) {
  if (!act.domain.empty()) return std::nullopt;
  ActivationFusion f;
  f.activation = act.id;
  if (act.op_type == kRelu) {
    f.kind = "relu";
    return f;
  }
  if (act.op_type != kClip) return std::nullopt;
  f.kind = "clip";
  f.lo = -std::numeric_limits<float>::infinity();
  if (g.opset < 11) {
    f.lo = act.attr_float("min", f.lo);
    f.hi = act.attr_float("max", f.hi);
  }
  for (size_t i = 1; i <= 2; ++i) {
    if (!act.has_input(i)) continue;
    const ir::Value& v = g.value(act.inputs[i]);
    if (!v.data || v.data->numel() != 1) return std::nullopt;  // bounds computed at run time
    (i == 1 ? f.lo : f.hi) = v.data->to_float_vector()[0];
  }
  // The int8 grid of the output always contains 0, so the clamp range must too.
  if (!(f.lo <= 0.0f && f.hi > 0.0f)) return std::nullopt;
  return f;
}

std::optional<ActivationFusion> fused_activation(const ir::Graph& g, const ir::Node& p) {
  if (!accepts_fused_activation(p)) return std::nullopt;
  const ir::ValueId y = p.outputs[0];
  if (std::find(g.outputs.begin(), g.outputs.end(), y) != g.outputs.end()) return std::nullopt;
  const auto users = g.consumers(y);
  if (users.size() != 1) return std::nullopt;
  const ir::Node* act = g.find_node(users[0]);
  if (!act || act->inputs.empty() || act->inputs[0] != y) return std::nullopt;
  auto f = activation_bounds(g, *act);
  if (f) f->producer = p.id;
  return f;
}

}  // namespace etch::passes
