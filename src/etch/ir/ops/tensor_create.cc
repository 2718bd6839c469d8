// Schemas of the ops that make new tensors: Constant, ConstantOfShape, Range.
#include <cmath>

#include "etch/ir/op_registry.h"

namespace etch::ir {
namespace {

void infer_constant(InferContext& c) {
  const Node& n = c.node();
  if (const Tensor* t = n.attr_tensor("value")) return c.set_output(0, t->dtype(), t->shape());
  if (n.has_attr("value_float")) return c.set_output(0, DType::F32, {});
  if (n.has_attr("value_floats"))
    return c.set_output(0, DType::F32, {static_cast<int64_t>(n.attr_floats("value_floats").size())});
  if (n.has_attr("value_int")) return c.set_output(0, DType::I64, {});
  if (n.has_attr("value_ints"))
    return c.set_output(0, DType::I64, {static_cast<int64_t>(n.attr_ints("value_ints").size())});
  for (const char* k : {"value_string", "value_strings", "sparse_value"})
    if (n.has_attr(k)) ETCH_FAIL(Unsupported) << n.describe() << ": attribute '" << k << "' is not supported";
  c.fail("needs one of the attributes value, value_float, value_floats, value_int, value_ints");
}

void infer_constant_of_shape(InferContext& c) {
  DType dtype = DType::F32;
  if (const Tensor* t = c.node().attr_tensor("value")) {
    if (t->numel() != 1) c.fail("attribute 'value' must hold one element, got shape " + shape_str(t->shape()));
    dtype = t->dtype();
  }
  if (c.dtype(0) != DType::I64) c.fail(std::string("input must be int64, got ") + dtype_name(c.dtype(0)));
  if (!c.value(0)) {
    const Shape& s = c.shape(0);
    if (s.size() == 1 && s[0] >= 0) return c.set_output(0, dtype, Shape(s[0], -1));
    return c.set_output(0, dtype, {}, false);
  }
  Shape out = c.value(0)->to_int64_vector();
  for (int64_t d : out)
    if (d < 0) c.fail("shape " + shape_str(out) + " has a negative dim");
  c.set_output(0, dtype, out);
}

void infer_range(InferContext& c) {
  for (size_t i = 0; i < 3; ++i) {
    if (c.dtype(i) != c.dtype(0)) c.fail("start, limit and delta must have the same dtype");
    if (shape_numel(c.shape(i)) != 1)
      c.fail("input " + std::to_string(i) + " must be a scalar, got " + shape_str(c.shape(i)));
  }
  if (c.dtype(0) == DType::Bool) c.fail("bool is not a valid Range dtype");
  if (!c.value(0) || !c.value(1) || !c.value(2)) return c.set_output(0, c.dtype(0), {-1});
  int64_t n;
  if (c.dtype(0) == DType::F32) {
    const double start = c.value(0)->get_as_double(0), limit = c.value(1)->get_as_double(0),
                 delta = c.value(2)->get_as_double(0);
    if (delta == 0) c.fail("delta is 0");
    // float arithmetic like the ONNX reference, so the count matches
    const float span = static_cast<float>(limit) - static_cast<float>(start);
    n = static_cast<int64_t>(std::ceil(span / static_cast<float>(delta)));
  } else {
    const int64_t start = c.value(0)->to_int64_vector()[0], limit = c.value(1)->to_int64_vector()[0],
                  delta = c.value(2)->to_int64_vector()[0];
    if (delta == 0) c.fail("delta is 0");
    const int64_t span = limit - start;
    n = span / delta + ((span % delta != 0 && ((span > 0) == (delta > 0))) ? 1 : 0);
  }
  c.set_output(0, c.dtype(0), {std::max<int64_t>(n, 0)});
}

}  // namespace

ETCH_REGISTER_OP({"Constant", "", 0, 0, 1, 1, infer_constant});
ETCH_REGISTER_OP({"ConstantOfShape", "", 1, 1, 1, 1, infer_constant_of_shape});
ETCH_REGISTER_OP({"Range", "", 3, 3, 1, 1, infer_range});

}  // namespace etch::ir
