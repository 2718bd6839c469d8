#include "etch/passes/activation_fusion.h"

#include <algorithm>

#include "etch/ir/op_registry.h"

namespace etch::passes {

bool accepts_fused_activation(const ir::Node& p) {
  return p.domain.empty() && p.outputs.size() == 1 && ir::has_trait(p, ir::OpTrait::kFusesActivation);
}

std::optional<ActivationFusion> activation_bounds(const ir::Graph& g, const ir::Node& act) {
  const ir::OpSchema* s = ir::find_op(act.op_type, act.domain);
  if (!s || !s->clamp) return std::nullopt;
  const std::optional<ir::ClampBounds> b = s->clamp(g, act);
  if (!b) return std::nullopt;  // bounds computed at run time
  // The int8 grid of the output always contains 0, so the clamp range must too.
  if (!(b->lo <= 0.0f && b->hi > 0.0f)) return std::nullopt;
  ActivationFusion f;
  f.activation = act.id;
  f.kind = b->kind;
  f.lo = b->lo;
  f.hi = b->hi;
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
