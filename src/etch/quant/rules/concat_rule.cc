// Concat of int8 activations and float constants, on the output's grid:
//   DQ(a), DQ(b), c -> Concat -> Q  =>  Concat(a, b, Q(c)) on int8
// The planner writes each input on the output's grid where it can
// (QuantPlan::inherited: zero padding keeps its input's grid; an input only
// the Concat reads takes the output's); an input left on another grid is
// first rescaled by a table, Q(DQ(x)) for each of its 256 values, and each
// constant is quantized with the output's parameters, so the integer Concat
// gives exactly what the QDQ graph computes.
#include "etch/ir/ops/qint_ops.h"
#include "etch/quant/qdq_lowering.h"
#include "etch/quant/quant_rule.h"
#include "etch/runtime/requantize.h"

namespace etch::quant {
namespace {

std::string concat_why_not(const ir::Graph&, const ir::Node&, const ir::Value&) { return ""; }

// QLut(x, table) moving x from its grid to (sy, zy), rounding as QuantizeLinear does.
ir::ValueId rescaled(QdqLowering& l, const Dq& x, const std::string& name, float sy, int32_t zy) {
  ir::Graph& g = l.graph();
  const std::array<float, 256> reals = grid_reals(x.p);
  Tensor table(DType::I8, {256});
  for (int i = 0; i < 256; ++i) table.data<int8_t>()[i] = runtime::quantize_half_even<int8_t>(reals[i], sy, zy);
  const ir::ValueId t = l.constant(name + "_table", std::move(table));
  const ir::Value& xv = g.value(x.q);
  const ir::ValueId out = g.add_value(g.unique_name(xv.name + "_rescaled"), DType::I8, xv.shape, xv.has_shape);
  // y_scale / y_zero_point: the output's grid, which the TFLite exporter
  // cannot look up by name for a tensor the QDQ graph does not have.
  g.add_node("QLut", {x.q, t}, {out}, g.unique_name(name),
             {{"function", std::string("Requantize")}, {"y_scale", sy}, {"y_zero_point", int64_t{zy}}},
             ir::kEtchDomain);
  return out;
}

bool lower_concat(QdqLowering& l, const QdqGroup& grp) {
  ir::Graph& g = l.graph();
  const ir::Node core = grp.core;  // a copy: adding nodes moves the node list
  const float sy = grp.y.scales[0];
  const int32_t zy = grp.y.zero_points[0];
  std::vector<ir::ValueId> ins;
  for (size_t i = 0; i < core.inputs.size(); ++i) {
    const ir::Value& v = g.value(core.inputs[i]);
    const std::string name = core.name + "_input" + std::to_string(i);
    if (v.data) {
      if (v.data->dtype() != DType::F32) return false;
      Tensor q(DType::I8, v.data->shape());
      for (int64_t k = 0; k < q.numel(); ++k)
        q.data<int8_t>()[k] = runtime::quantize_half_even<int8_t>(v.data->data<float>()[k], sy, zy);
      ins.push_back(l.constant(name, std::move(q)));
      continue;
    }
    auto x = l.act_dq(core.inputs[i]);
    if (!x) return false;
    const bool same = x->p.scales[0] == sy && x->p.zero_points[0] == zy;
    ins.push_back(same ? x->q : rescaled(l, *x, name + "_rescale", sy, zy));
  }
  g.add_node("Concat", ins, {grp.q.outputs[0]}, core.name, core.attrs);
  return true;
}

}  // namespace

ETCH_REGISTER_QUANT_RULE(
    {.name = "concat", .op_types = {"Concat"}, .any_inputs = true, .why_not = concat_why_not, .lower = lower_concat});

}  // namespace etch::quant
