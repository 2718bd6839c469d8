// Mul of two int8 activations with numpy broadcasting (the per-channel scale
// of squeeze-and-excitation, x * sigmoid(fc(pool(x))), or two same-shape
// tensors), a fused Relu/Clip as the clamp:
//   DQ(a), DQ(b) -> Mul -> [Relu | Clip] -> Q  =>  QMul
// The product of the centred inputs is exact in int32 and requantized with
// one multiplier s_a * s_b / s_y (TFLite's int8 MUL). A Mul by a constant is
// not an activation product: the planner leaves it alone.
#include "etch/ir/ops/qint_ops.h"
#include "etch/quant/qdq_lowering.h"
#include "etch/quant/quant_rule.h"
#include "etch/runtime/requantize.h"

namespace etch::quant {
namespace {

std::string mul_why_not(const ir::Graph&, const ir::Node& n, const ir::Value&) {
  if (n.inputs.size() != 2) return "not exactly two inputs";
  return "";
}

bool lower_mul(QdqLowering& l, const QdqGroup& grp) {
  const ir::Node& core = grp.core;
  auto x = l.act_dq(core.inputs[0]), y = l.act_dq(core.inputs[1]);
  if (!x || !y) return false;
  const double sa = x->p.scales[0], sb = y->p.scales[0], sy = grp.y.scales[0];
  IntegerOpAttrs a;
  a["a_zero_point"] = int64_t{x->p.zero_points[0]};
  a["b_zero_point"] = int64_t{y->p.zero_points[0]};
  a["y_zero_point"] = int64_t{grp.y.zero_points[0]};
  const auto qm = runtime::quantize_multiplier(sa * sb / sy);
  a["multiplier"] = int64_t{qm.multiplier};
  a["shift"] = int64_t{qm.shift};
  add_activation(l.graph(), a, grp.activation, static_cast<float>(sy), grp.y.zero_points[0]);
  a.erase("activation");
  a["a_scale"] = static_cast<float>(sa);
  a["b_scale"] = static_cast<float>(sb);
  a["y_scale"] = static_cast<float>(sy);
  l.graph().add_node("QMul", {x->q, y->q}, {grp.q.outputs[0]}, core.name, a, ir::kEtchDomain);
  return true;
}

}  // namespace

ETCH_REGISTER_QUANT_RULE(
    {.name = "mul", .op_types = {"Mul"}, .activation_inputs = 2, .why_not = mul_why_not, .lower = lower_mul});

}  // namespace etch::quant
