// QAdd on the vector unit: element-wise sum of two int8 tensors of the same
// shape (no broadcasting), each rescaled to a common scale first.
#include "etch/compiler/emit_vector.h"
#include "etch/compiler/lowerings/common.h"
#include "etch/compiler/lowerings/lowerings.h"
#include "etch/ir/ops/qint_ops.h"
#include "etch/ir/ops/qint_params.h"

namespace etch::compiler::lowerings {
namespace {

AddSpec add_spec(const ir::Node& n, const npu::TensorDesc& a, const npu::TensorDesc& b, const npu::TensorDesc& out) {
  const ir::QAddParams p = ir::qadd_params(n);
  AddSpec s;
  s.name = n.name;
  s.a = a;
  s.b = b;
  s.out = out;
  s.a_zp = p.a_zero_point;
  s.b_zp = p.b_zero_point;
  s.y_zp = p.y.zero_point;
  s.left_shift = p.left_shift;
  s.a_mult = p.a.multiplier;
  s.a_shift = p.a.shift;
  s.b_mult = p.b.multiplier;
  s.b_shift = p.b.shift;
  s.y_mult = p.y_requant.multiplier;
  s.y_shift = p.y_requant.shift;
  s.act_min = p.y.act_min;
  s.act_max = p.y.act_max;
  return s;
}

}  // namespace

Lowering qadd() {
  Lowering l;
  l.op_type = "QAdd";
  l.domain = ir::kEtchDomain;
  l.reason_for_host = [](const ir::Graph& g, const ir::Node& n) -> std::string {
    if (!is_int8(g, n, 0) || !is_int8(g, n, 1)) return "needs int8 inputs";
    if (batch1_shape(g.value(n.inputs[0])) != batch1_shape(g.value(n.inputs[1])))
      return "broadcasting add (inputs differ in shape)";
    return "";
  };
  l.kind = [](const ConvSpec*) { return "add"; };
  l.emit = [](ProgramBuilder& b, const VectorLayer& v) {
    emit_add(b, add_spec(v.n, v.desc(v.n.inputs[0]), v.desc(v.n.inputs[1]), v.desc(v.n.outputs[0])));
  };
  l.output_zero_point = [](const ir::Graph&, const ir::Node& n) -> std::optional<int32_t> {
    return ir::qadd_params(n).y.zero_point;
  };
  return l;
}

}  // namespace etch::compiler::lowerings
