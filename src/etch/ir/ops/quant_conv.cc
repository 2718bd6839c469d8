// ConvInteger (opset 10) and QLinearConv (opset 10): integer convolution with
// the full Conv attribute set (group, pads, strides, dilations, auto_pad).
#include "etch/ir/op_registry.h"
#include "etch/ir/ops/quant_conv_geometry.h"

namespace etch::ir {
namespace {

bool is_8bit(DType t) { return t == DType::U8 || t == DType::I8; }

void require_8bit(InferContext& c, size_t i, const char* name) {
  if (!is_8bit(c.dtype(i))) c.fail(std::string(name) + " must be uint8 or int8, got " + dtype_name(c.dtype(i)));
}

// Scalar or 1-D of `count` entries (or of one entry).
void require_scalar_or_vector(InferContext& c, size_t i, const char* name, int64_t count) {
  const Shape& s = c.shape(i);
  const int64_t n = shape_numel(s);
  const bool ok = s.size() <= 1 && (n == 1 || n < 0 || count < 0 || n == count);
  if (!ok)
    c.fail(std::string(name) + " has shape " + shape_str(s) + "; expected a scalar or " + std::to_string(count) +
           " values");
}

void infer_conv_integer(InferContext& c) {
  require_8bit(c, 0, "input x");
  require_8bit(c, 1, "weight w");
  const ConvGeometry g = resolve_conv_geometry(c.node(), c.shape(0), c.shape(1));
  if (c.has_input(2)) {
    require_scalar_or_vector(c, 2, "x_zero_point", 1);
    if (c.dtype(2) != c.dtype(0)) c.fail("x_zero_point dtype differs from x");
  }
  if (c.has_input(3)) {
    require_scalar_or_vector(c, 3, "w_zero_point", g.out_channels);
    if (c.dtype(3) != c.dtype(1)) c.fail("w_zero_point dtype differs from w");
  }
  c.set_output(0, DType::I32, g.output_shape);
}

void infer_qlinear_conv(InferContext& c) {
  require_8bit(c, 0, "input x");
  require_8bit(c, 3, "weight w");
  require_8bit(c, 7, "y_zero_point");
  const ConvGeometry g = resolve_conv_geometry(c.node(), c.shape(0), c.shape(3));
  require_scalar_or_vector(c, 1, "x_scale", 1);
  require_scalar_or_vector(c, 2, "x_zero_point", 1);
  require_scalar_or_vector(c, 4, "w_scale", g.out_channels);
  require_scalar_or_vector(c, 5, "w_zero_point", g.out_channels);
  require_scalar_or_vector(c, 6, "y_scale", 1);
  require_scalar_or_vector(c, 7, "y_zero_point", 1);
  if (c.dtype(2) != c.dtype(0)) c.fail("x_zero_point dtype differs from x");
  if (c.dtype(5) != c.dtype(3)) c.fail("w_zero_point dtype differs from w");
  for (size_t i : {1, 4, 6})
    if (c.dtype(i) != DType::F32) c.fail("input " + std::to_string(i) + " (a scale) must be float");
  if (c.has_input(8)) {
    if (c.dtype(8) != DType::I32) c.fail(std::string("bias must be int32, got ") + dtype_name(c.dtype(8)));
    const Shape& b = c.shape(8);
    if (b.size() != 1 || (b[0] >= 0 && g.out_channels >= 0 && b[0] != g.out_channels))
      c.fail("bias has shape " + shape_str(b) + "; expected [" + std::to_string(g.out_channels) + "]");
  }
  c.set_output(0, c.dtype(7), g.output_shape);
}

}  // namespace

ETCH_REGISTER_OP({"ConvInteger", "", 2, 4, 1, 1, infer_conv_integer, OpTrait::kQuantizedFormat,
                  MacForm{MacForm::kConv, 0, 1}});
ETCH_REGISTER_OP({"QLinearConv", "", 8, 9, 1, 1, infer_qlinear_conv, OpTrait::kQuantizedFormat,
                  MacForm{MacForm::kConv, 0, 3}});

}  // namespace etch::ir
