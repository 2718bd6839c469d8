// Ops that only move data (MaxPool, Reshape, Flatten, Transpose, Squeeze,
// Unsqueeze, Identity: the ir::OpTrait::kDataMovement ones) run on int8 as
// they are, and their output keeps the input's parameters
//   DQ(x) -> op -> Q, same parameters on both sides  =>  op on int8
// PTQ writes no Q/DQ after them (QdqLowering::act_dq follows them instead).
#include "etch/quant/qdq_lowering.h"
#include "etch/quant/quant_rule.h"

namespace etch::quant {
namespace {

std::string movement_why_not(const ir::Graph&, const ir::Node&, const ir::Value&) { return ""; }

}  // namespace

bool lower_data_movement(QdqLowering& l, const QdqGroup& grp) {
  const ir::Node& p = grp.core;
  auto x = l.act_dq(p.inputs[0]);
  if (!x || !(x->p.scales == grp.y.scales && x->p.zero_points == grp.y.zero_points)) return false;
  std::vector<ir::ValueId> inputs = p.inputs;
  inputs[0] = x->q;
  if (const QuantRule* r = find_rule(p); r && r->int8_inputs) r->int8_inputs(l, p, *x, inputs);
  l.graph().add_node(p.op_type, inputs, {grp.q.outputs[0]}, p.name, p.attrs);
  return true;
}

ETCH_REGISTER_QUANT_RULE({.name = "data-movement",
                          .trait = ir::OpTrait::kDataMovement,
                          .kind = RuleKind::kDataMovement,
                          .why_not = movement_why_not,
                          .lower = lower_data_movement});

}  // namespace etch::quant
