// QuantizeLinear / DequantizeLinear (ONNX opsets 10 and 13: per tensor, and
// per axis from 13) and DynamicQuantizeLinear (opset 11).
#include "etch/ir/ops/quant_linear.h"

#include "etch/ir/op_registry.h"
#include "etch/ir/ops/quant_params.h"

namespace etch::ir {
namespace {

void check_params(InferContext& c) {
  const Shape* zp = c.has_input(2) ? &c.shape(2) : nullptr;
  resolve_quant_axis(c.node(), c.shape(0), c.shape(1), zp);
  if (c.dtype(1) != DType::F32) c.fail(std::string("scale must be float, got ") + dtype_name(c.dtype(1)));
}

void infer_quantize(InferContext& c) {
  if (c.dtype(0) != DType::F32) c.fail(std::string("input x must be float, got ") + dtype_name(c.dtype(0)));
  check_params(c);
  DType out = DType::U8;
  if (c.has_input(2)) {
    out = c.dtype(2);
    if (out != DType::U8 && out != DType::I8)
      c.fail(std::string("zero point must be uint8 or int8, got ") + dtype_name(out));
  }
  c.set_output(0, out, c.shape(0));
}

void infer_dequantize(InferContext& c) {
  const DType t = c.dtype(0);
  if (t != DType::U8 && t != DType::I8 && t != DType::I32)
    c.fail(std::string("input x must be uint8, int8 or int32, got ") + dtype_name(t));
  if (c.has_input(2) && c.dtype(2) != t)
    c.fail(std::string("zero point is ") + dtype_name(c.dtype(2)) + " but x is " + dtype_name(t));
  check_params(c);
  c.set_output(0, DType::F32, c.shape(0));
}

void infer_dynamic_quantize(InferContext& c) {
  if (c.dtype(0) != DType::F32) c.fail(std::string("input x must be float, got ") + dtype_name(c.dtype(0)));
  c.set_output(0, DType::U8, c.shape(0));
  c.set_output(1, DType::F32, {});
  c.set_output(2, DType::U8, {});
}

}  // namespace

ETCH_REGISTER_OP({"DynamicQuantizeLinear", "", 1, 1, 3, 3, infer_dynamic_quantize, OpTrait::kQuantizedFormat});
ETCH_REGISTER_OP({kQuantizeLinear, "", 2, 3, 1, 1, infer_quantize, OpTrait::kQuantizedFormat});
ETCH_REGISTER_OP({kDequantizeLinear, "", 2, 3, 1, 1, infer_dequantize, OpTrait::kQuantizedFormat});

bool is_quantize_linear(const Node& n) { return n.domain.empty() && n.op_type == kQuantizeLinear; }
bool is_dequantize_linear(const Node& n) { return n.domain.empty() && n.op_type == kDequantizeLinear; }

}  // namespace etch::ir
