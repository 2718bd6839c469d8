// QLut on the vector unit: a 256-entry int8 table (etch's form of every
// int8 -> int8 element-wise function), loaded once into the weight buffer.
#include "etch/compiler/emit_vector.h"
#include "etch/compiler/lowering.h"
#include "etch/compiler/lowerings/common.h"
#include "etch/ir/ops/qint_ops.h"
#include "etch/npu/footprint.h"

namespace etch::compiler::lowerings {
namespace {

std::vector<int8_t> lut_table(const ir::Graph& g, const ir::Node& n) {
  const Tensor& t = *constant(g, n, 1);
  return std::vector<int8_t>(t.data<int8_t>(), t.data<int8_t>() + npu::kTableBytes);
}

Lowering qlut() {
  Lowering l;
  l.op_type = "QLut";
  l.domain = ir::kEtchDomain;
  l.reason_for_host = [](const ir::Graph& g, const ir::Node& n) -> std::string {
    const Tensor* t = constant(g, n, 1);
    if (!is_int8(g, n, 0) || !t || t->numel() != npu::kTableBytes || t->dtype() != DType::I8)
      return "needs int8 input and a 256-entry table";
    return "";
  };
  l.kind = [](const ConvSpec*) { return "lut"; };
  l.requant_table = lut_table;
  l.emit = [](ProgramBuilder& b, const VectorLayer& v) {
    LutSpec s;
    s.name = v.n.name;
    s.in = v.desc(v.n.inputs[0]);
    s.out = v.desc(v.n.outputs[0]);
    s.table = lut_table(v.g, v.n);
    emit_lut(b, s);
  };
  return l;
}

}  // namespace

ETCH_REGISTER_LOWERING(qlut());

}  // namespace etch::compiler::lowerings
