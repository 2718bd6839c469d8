// Element-wise functions of one int8 input (ir::OpTrait::kLookupTable:
// Sigmoid, Tanh, HardSwish, a Relu/Clip not fused into a producer, ...; and
// the arithmetic ops whose other operands are one constant value, such as
// Max(x, 0.5) or Div(x, 6)) as a 256-entry table computed by the float kernel
// itself
//   DQ(x) -> f -> Q  =>  QLut(x, table)
#include "etch/ir/ops/qint_ops.h"
#include "etch/quant/qdq_lowering.h"
#include "etch/quant/quant_rule.h"
#include "etch/runtime/interpreter.h"
#include "etch/runtime/requantize.h"

namespace etch::quant {
namespace {

// The table is computed once and maps each element on its own, so the
// function's other inputs (Clip's bounds, Max's floor) must be constants of
// one value each.
std::string table_why_not(const ir::Graph& g, const ir::Node& n, const ir::Value&) {
  for (size_t i = 1; i < n.inputs.size(); ++i) {
    if (n.inputs[i] == ir::kNoValue) continue;
    const ir::Value& v = g.value(n.inputs[i]);
    if (!v.data) return "input " + std::to_string(i) + " is computed at run time, not a constant";
    if (v.data->numel() != 1)
      return "input " + std::to_string(i) + " is a constant of " + std::to_string(v.data->numel()) +
             " values, not one (a lookup table maps every element alike)";
  }
  return "";
}

bool lower_table(QdqLowering& l, const QdqGroup& grp) {
  ir::Graph& g = l.graph();
  const ir::Node& p = grp.core;
  auto x = l.act_dq(p.inputs[0]);
  if (!x) return false;
  const std::array<float, 256> reals = grid_reals(x->p);
  const Tensor in = Tensor::from_vector<float>({256}, std::vector<float>(reals.begin(), reals.end()));
  std::vector<const Tensor*> ins{&in};
  for (size_t i = 1; i < p.inputs.size(); ++i)
    ins.push_back(p.inputs[i] == ir::kNoValue ? nullptr : &*g.value(p.inputs[i]).data);
  const Tensor out = runtime::run_node(p, ins)[0];
  Tensor table(DType::I8, {256});
  for (int i = 0; i < 256; ++i)
    table.data<int8_t>()[i] =
        runtime::quantize_half_away<int8_t>(out.data<float>()[i], grp.y.scales[0], grp.y.zero_points[0]);
  const ir::ValueId t = l.constant(p.name.empty() ? "lut" : p.name + "_table", table);
  g.add_node("QLut", {x->q, t}, {grp.q.outputs[0]}, p.name, {{"function", p.op_type}}, ir::kEtchDomain);
  return true;
}

}  // namespace

ETCH_REGISTER_QUANT_RULE({.name = "lookup-table",
                          .trait = ir::OpTrait::kLookupTable,
                          .kind = RuleKind::kLookupTable,
                          .why_not = table_why_not,
                          .lower = lower_table});
// Add and Mul have rules of their own (two activations); a Sub or Div of two
// activations stays float.
ETCH_REGISTER_QUANT_RULE({.name = "constant-operand",
                          .op_types = {"Max", "Min", "Sub", "Div", "Pow"},
                          .kind = RuleKind::kLookupTable,
                          .why_not = table_why_not,
                          .lower = lower_table});

}  // namespace etch::quant
