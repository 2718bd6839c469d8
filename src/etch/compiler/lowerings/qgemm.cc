// QGemm on the systolic array: a [1, K] x [K, M] fully-connected layer (the
// array layer with a 1x1 spatial extent).
#include "etch/compiler/lowering.h"
#include "etch/compiler/lowerings/common.h"
#include "etch/ir/ops/qint_ops.h"
#include "etch/ir/ops/qint_params.h"

namespace etch::compiler::lowerings {
namespace {

Lowering qgemm() {
  Lowering l;
  l.op_type = "QGemm";
  l.domain = ir::kEtchDomain;
  l.float_forms = {"Gemm", "MatMul"};
  l.reason_for_host = [](const ir::Graph& g, const ir::Node& n) -> std::string {
    if (!is_int8(g, n, 0) || !constant(g, n, 1)) return "needs int8 input and constant weights";
    if (rank(g, n.inputs[0]) != 2) return "input must be [1, K]";
    return "";
  };
  l.kind = [](const ConvSpec*) { return "gemm"; };
  l.array = [](const ir::Graph& g, const ir::Node& n, const npu::TensorDesc& in, const npu::TensorDesc& out) {
    return lower_conv(g, n, in, out, true);
  };
  l.output_zero_point = [](const ir::Graph&, const ir::Node& n) -> std::optional<int32_t> {
    return ir::qconv_params(n, -1).y.zero_point;
  };
  return l;
}

}  // namespace

ETCH_REGISTER_LOWERING(qgemm());

}  // namespace etch::compiler::lowerings
