// Add of two int8 activations (same shape), a fused Relu/Clip as the clamp:
//   DQ(a), DQ(b) -> Add -> [Relu | Clip] -> Q  =>  QAdd
// Both inputs are rescaled to twice the larger input scale with `left_shift`
// bits of headroom, added, and requantized to the output scale (TFLite's
// int8 ADD).
#include <algorithm>
#include <cmath>

#include "etch/ir/ops/qint_ops.h"
#include "etch/quant/qdq_lowering.h"
#include "etch/quant/quant_rule.h"
#include "etch/runtime/requantize.h"

namespace etch::quant {
namespace {

std::string add_why_not(const ir::Graph&, const ir::Node& n, const ir::Value&) {
  if (n.inputs.size() != 2) return "not exactly two inputs";
  return "";
}

bool lower_add(QdqLowering& l, const QdqGroup& grp) {
  const ir::Node& core = grp.core;
  auto x = l.act_dq(core.inputs[0]), y = l.act_dq(core.inputs[1]);
  if (!x || !y) return false;
  const int left = 20;
  const double sa = x->p.scales[0], sb = y->p.scales[0], sy = grp.y.scales[0], twice = 2 * std::max(sa, sb);
  IntegerOpAttrs a;
  a["a_zero_point"] = int64_t{x->p.zero_points[0]};
  a["b_zero_point"] = int64_t{y->p.zero_points[0]};
  a["y_zero_point"] = int64_t{grp.y.zero_points[0]};
  a["left_shift"] = int64_t{left};
  auto put = [&](const std::string& side, double real) {
    const auto qm = runtime::quantize_multiplier(real);
    a[side + "_multiplier"] = int64_t{qm.multiplier};
    a[side + "_shift"] = int64_t{qm.shift};
  };
  put("a", sa / twice);
  put("b", sb / twice);
  put("y", twice / (std::ldexp(1.0, left) * sy));
  add_activation(l.graph(), a, grp.activation, static_cast<float>(sy), grp.y.zero_points[0]);
  a.erase("activation");
  a["a_scale"] = static_cast<float>(sa);
  a["b_scale"] = static_cast<float>(sb);
  a["y_scale"] = static_cast<float>(sy);
  l.graph().add_node("QAdd", {x->q, y->q}, {grp.q.outputs[0]}, core.name, a, ir::kEtchDomain);
  return true;
}

}  // namespace

ETCH_REGISTER_QUANT_RULE({.name = "add",
                          .op_types = {"Add"},
                          .activation_inputs = 2,
                          .fuses_activation = true,
                          .why_not = add_why_not,
                          .lower = lower_add});

}  // namespace etch::quant
