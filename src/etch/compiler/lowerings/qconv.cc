// QConv on the systolic array: 2-D convolution of any group count (dense or
// depthwise), its padding holding the input zero point.
#include "etch/compiler/lowering.h"
#include "etch/compiler/lowerings/common.h"
#include "etch/ir/ops/qint_ops.h"
#include "etch/ir/ops/qint_params.h"

namespace etch::compiler::lowerings {
namespace {

Lowering qconv() {
  Lowering l;
  l.op_type = "QConv";
  l.domain = ir::kEtchDomain;
  l.float_forms = {"Conv"};
  l.reason_for_host = [](const ir::Graph& g, const ir::Node& n) -> std::string {
    if (!is_int8(g, n, 0) || !constant(g, n, 1)) return "needs int8 input and constant weights";
    if (rank(g, n.inputs[0]) != 4) return "only 2-D convolution";
    // The ISA's kernel and stride fields are 8 bits wide.
    for (int64_t k : n.attr_ints("kernel_shape", {1, 1}))
      if (k > 255) return "kernel larger than 255";
    for (int64_t s : n.attr_ints("strides", {1, 1}))
      if (s > 255) return "stride larger than 255";
    return "";
  };
  l.kind = [](const ConvSpec* s) { return s->cg == 1 && s->groups > 1 ? "dwconv" : "conv"; };
  l.array = [](const ir::Graph& g, const ir::Node& n, const npu::TensorDesc& in, const npu::TensorDesc& out) {
    return lower_conv(g, n, in, out, false);
  };
  l.input_pad = max_pad;
  l.padding_zero_point = [](const ir::Node& n) -> std::optional<int32_t> {
    return ir::qconv_params(n, -1).x_zero_point;
  };
  l.output_zero_point = [](const ir::Graph&, const ir::Node& n) -> std::optional<int32_t> {
    return ir::qconv_params(n, -1).y.zero_point;
  };
  return l;
}

}  // namespace

ETCH_REGISTER_LOWERING(qconv());

}  // namespace etch::compiler::lowerings
