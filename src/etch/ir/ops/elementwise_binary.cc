// Schemas of the numpy-broadcasting ops: arithmetic, comparisons, logic, the
// variadic Sum/Mean/Min/Max, PRelu and Where.
#include <limits>

#include "etch/ir/op_registry.h"

namespace etch::ir {
namespace {

Shape broadcast_all(InferContext& c, size_t first, size_t count) {
  Shape out = c.shape(first);
  for (size_t i = first + 1; i < first + count; ++i) {
    try {
      out = broadcast_shapes(out, c.shape(i));
    } catch (const Error&) {
      c.fail("input shapes " + shape_str(c.shape(first)) + " and " + shape_str(c.shape(i)) +
             " cannot be broadcast (numpy rules)");
    }
  }
  return out;
}

void require_same_dtypes(InferContext& c, size_t first, size_t count) {
  for (size_t i = first + 1; i < first + count; ++i)
    if (c.dtype(i) != c.dtype(first))
      c.fail(std::string("inputs have different dtypes: input ") + std::to_string(first) + " is " +
             dtype_name(c.dtype(first)) + ", input " + std::to_string(i) + " is " + dtype_name(c.dtype(i)));
}

void infer_arith(InferContext& c) {
  require_same_dtypes(c, 0, c.num_inputs());
  c.set_output(0, c.dtype(0), broadcast_all(c, 0, c.num_inputs()));
}

// Pow allows the exponent to have its own type; the result has the base's.
void infer_pow(InferContext& c) { c.set_output(0, c.dtype(0), broadcast_all(c, 0, 2)); }

void infer_compare(InferContext& c) {
  require_same_dtypes(c, 0, 2);
  c.set_output(0, DType::Bool, broadcast_all(c, 0, 2));
}

void infer_logic(InferContext& c) {
  for (size_t i = 0; i < 2; ++i)
    if (c.dtype(i) != DType::Bool)
      c.fail("input " + std::to_string(i) + " must be bool, got " + dtype_name(c.dtype(i)));
  c.set_output(0, DType::Bool, broadcast_all(c, 0, 2));
}

void infer_not(InferContext& c) {
  if (c.dtype(0) != DType::Bool) c.fail(std::string("input must be bool, got ") + dtype_name(c.dtype(0)));
  c.set_output(0, DType::Bool, c.shape(0));
}

// The slope broadcasts to X, never the other way.
void infer_prelu(InferContext& c) {
  require_same_dtypes(c, 0, 2);
  Shape b = broadcast_all(c, 0, 2);
  if (b.size() != c.shape(0).size())
    c.fail("slope shape " + shape_str(c.shape(1)) + " does not broadcast to X shape " + shape_str(c.shape(0)));
  for (size_t i = 0; i < b.size(); ++i)
    if (c.shape(0)[i] >= 0 && b[i] != c.shape(0)[i])
      c.fail("slope shape " + shape_str(c.shape(1)) + " does not broadcast to X shape " + shape_str(c.shape(0)));
  c.set_output(0, c.dtype(0), c.shape(0));
}

void infer_where(InferContext& c) {
  if (c.dtype(0) != DType::Bool) c.fail(std::string("condition must be bool, got ") + dtype_name(c.dtype(0)));
  require_same_dtypes(c, 1, 2);
  c.set_output(0, c.dtype(1), broadcast_all(c, 0, 3));
}

constexpr int kVariadic = std::numeric_limits<int>::max();

struct RegisterBinary {
  RegisterBinary() {
    // Add is also the one element-wise op with an integer kernel that a Relu/Clip fuses into.
    register_op(OpSchema{"Add", "", 2, 2, 1, 1, infer_arith, OpTrait::kBroadcastArith | OpTrait::kFusesActivation});
    for (const char* op : {"Sub", "Mul", "Div", "Mod"})
      register_op(OpSchema{op, "", 2, 2, 1, 1, infer_arith, OpTrait::kBroadcastArith});
    for (const char* op : {"Sum", "Mean", "Min", "Max"})
      register_op(OpSchema{op, "", 1, kVariadic, 1, 1, infer_arith, OpTrait::kBroadcastArith});
    for (const char* op : {"Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"})
      register_op(OpSchema{op, "", 2, 2, 1, 1, infer_compare, OpTrait::kComparison});
    for (const char* op : {"And", "Or", "Xor"}) register_op(OpSchema{op, "", 2, 2, 1, 1, infer_logic});
    register_op(OpSchema{"Not", "", 1, 1, 1, 1, infer_not});
    register_op(OpSchema{"Pow", "", 2, 2, 1, 1, infer_pow});
    register_op(OpSchema{"PRelu", "", 2, 2, 1, 1, infer_prelu});
    register_op(OpSchema{"Where", "", 3, 3, 1, 1, infer_where});
  }
} register_binary;

}  // namespace
}  // namespace etch::ir
