// MatMulInteger (opset 10) and QLinearMatMul (opset 10): numpy.matmul on
// 8-bit integers with zero points per tensor, per row of A or per column of B.
#include "etch/ir/op_registry.h"
#include "etch/ir/ops/quant_matmul_geometry.h"

namespace etch::ir {
namespace {

bool is_8bit(DType t) { return t == DType::U8 || t == DType::I8; }

void require_8bit(InferContext& c, size_t i, const char* name) {
  if (!is_8bit(c.dtype(i))) c.fail(std::string(name) + " must be uint8 or int8, got " + dtype_name(c.dtype(i)));
}

// A parameter of one value, or one per row of A (`rows`) / column of B.
void require_param(InferContext& c, size_t i, const char* name, int64_t count, const char* what) {
  const Shape& s = c.shape(i);
  const int64_t n = shape_numel(s);
  const bool ok = s.size() <= 1 && (n == 1 || n < 0 || count < 0 || n == count);
  if (!ok)
    c.fail(std::string(name) + " has shape " + shape_str(s) + "; expected a scalar or " + std::to_string(count) +
           " values (one per " + what + ")");
}

void infer_matmul_integer(InferContext& c) {
  require_8bit(c, 0, "input A");
  require_8bit(c, 1, "input B");
  const MatMulGeometry g = resolve_matmul_geometry(c.node(), c.shape(0), c.shape(1));
  if (c.has_input(2)) {
    require_param(c, 2, "a_zero_point", g.m, "row of A");
    if (c.dtype(2) != c.dtype(0)) c.fail("a_zero_point dtype differs from A");
  }
  if (c.has_input(3)) {
    require_param(c, 3, "b_zero_point", g.n, "column of B");
    if (c.dtype(3) != c.dtype(1)) c.fail("b_zero_point dtype differs from B");
  }
  c.set_output(0, DType::I32, g.output_shape);
}

void infer_qlinear_matmul(InferContext& c) {
  require_8bit(c, 0, "input a");
  require_8bit(c, 3, "input b");
  require_8bit(c, 7, "y_zero_point");
  const MatMulGeometry g = resolve_matmul_geometry(c.node(), c.shape(0), c.shape(3));
  require_param(c, 1, "a_scale", g.m, "row of a");
  require_param(c, 2, "a_zero_point", g.m, "row of a");
  require_param(c, 4, "b_scale", g.n, "column of b");
  require_param(c, 5, "b_zero_point", g.n, "column of b");
  require_param(c, 6, "y_scale", 1, "tensor");
  require_param(c, 7, "y_zero_point", 1, "tensor");
  if (c.dtype(2) != c.dtype(0)) c.fail("a_zero_point dtype differs from a");
  if (c.dtype(5) != c.dtype(3)) c.fail("b_zero_point dtype differs from b");
  for (size_t i : {1, 4, 6})
    if (c.dtype(i) != DType::F32) c.fail("input " + std::to_string(i) + " (a scale) must be float");
  c.set_output(0, c.dtype(7), g.output_shape);
}

}  // namespace

ETCH_REGISTER_OP({"MatMulInteger", "", 2, 4, 1, 1, infer_matmul_integer, OpTrait::kQuantizedFormat,
                  MacForm{MacForm::kMatMul, 0, 1}});
ETCH_REGISTER_OP({"QLinearMatMul", "", 8, 8, 1, 1, infer_qlinear_matmul, OpTrait::kQuantizedFormat,
                  MacForm{MacForm::kMatMul, 0, 3}});

}  // namespace etch::ir
