// QAdd on the vector unit: element-wise sum of two int8 tensors of the same
// shape (no broadcasting), each rescaled to a common scale first.
#include "etch/compiler/emit_vector.h"
#include "etch/compiler/lowering.h"
#include "etch/compiler/lowerings/common.h"
#include "etch/ir/ops/qint_ops.h"
#include "etch/ir/ops/qint_params.h"

namespace etch::compiler::lowerings {
namespace {

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
    emit_add(b, {v.n.name, v.desc(v.n.inputs[0]), v.desc(v.n.inputs[1]), v.desc(v.n.outputs[0]), ir::qadd_params(v.n),
                 v.image(v.n.inputs[0]), v.image(v.n.inputs[1]), v.ibuf_lo, v.ibuf_hi, v.out_image, v.store_out_image});
  };
  l.reads_image = true;
  l.writes_image = true;
  l.stores_written_image = true;
  l.output_zero_point = [](const ir::Graph&, const ir::Node& n) -> std::optional<int32_t> {
    return ir::qadd_params(n).y.zero_point;
  };
  return l;
}

}  // namespace

ETCH_REGISTER_LOWERING(qadd());

}  // namespace etch::compiler::lowerings
