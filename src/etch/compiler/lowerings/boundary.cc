// QuantizeLinear and DequantizeLinear convert between float and int8 at the
// model's boundary and stay on the host; their constant scale and zero point
// are the quantization of the int8 tensor on the NPU side.
#include "etch/compiler/lowering.h"
#include "etch/compiler/lowerings/common.h"

namespace etch::compiler::lowerings {
namespace {

Lowering boundary_op(const char* op, Boundary role) {
  Lowering l;
  l.op_type = op;
  l.boundary = role;
  l.reason_for_host = [](const ir::Graph&, const ir::Node&) -> std::string {
    return "float <-> int8 conversion at the model boundary";
  };
  return l;
}

Lowering quantize_linear() {
  Lowering q = boundary_op("QuantizeLinear", Boundary::Quantize);
  q.output_zero_point = [](const ir::Graph& g, const ir::Node& n) -> std::optional<int32_t> {
    const Tensor* zp = constant(g, n, 2);
    if (zp && zp->numel() >= 1) return static_cast<int32_t>(zp->get_as_double(0));
    return 0;
  };
  q.output_scale = [](const ir::Graph& g, const ir::Node& n) -> std::optional<float> {
    const Tensor* scale = constant(g, n, 1);
    return scale ? static_cast<float>(scale->get_as_double(0)) : 1.0f;
  };
  return q;
}

}  // namespace

ETCH_REGISTER_LOWERING(quantize_linear());
ETCH_REGISTER_LOWERING(boundary_op("DequantizeLinear", Boundary::Dequantize));

}  // namespace etch::compiler::lowerings
