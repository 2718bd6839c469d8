// Schemas of the one-input element-wise ops (activations, math, logic) and of
// Clip, Cast, Dropout and Identity: the output has the input's shape.
#include <limits>

#include "etch/ir/op_registry.h"
#include "etch/ir/ops/onnx_dtype.h"

namespace etch::ir {
namespace {

void infer_bool_same_shape(InferContext& c) { c.set_output(0, DType::Bool, c.shape(0)); }

void infer_clip(InferContext& c) {
  for (size_t i = 1; i < 3; ++i) {
    if (!c.has_input(i)) continue;
    if (c.dtype(i) != c.dtype(0))
      c.fail("min/max input " + std::to_string(i) + " is " + dtype_name(c.dtype(i)) + ", expected " +
             dtype_name(c.dtype(0)) + " like the data");
    if (shape_numel(c.shape(i)) > 1)
      c.fail("min/max input " + std::to_string(i) + " must be a scalar, got shape " + shape_str(c.shape(i)));
  }
  c.set_output(0, c.dtype(0), c.shape(0));
}

std::optional<ClampBounds> relu_clamp(const Graph&, const Node&) {
  return ClampBounds{"relu", 0.0f, std::numeric_limits<float>::infinity()};
}

// Clip's bounds: attributes before opset 11, optional scalar inputs 1 and 2
// since; nullopt when an input bound is computed at run time.
std::optional<ClampBounds> clip_clamp(const Graph& g, const Node& n) {
  ClampBounds b{"clip", -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity()};
  if (g.opset < 11) {
    b.lo = n.attr_float("min", b.lo);
    b.hi = n.attr_float("max", b.hi);
  }
  for (size_t i = 1; i <= 2; ++i) {
    if (!n.has_input(i)) continue;
    const Value& v = g.value(n.inputs[i]);
    if (!v.data || v.data->numel() != 1) return std::nullopt;
    (i == 1 ? b.lo : b.hi) = v.data->to_float_vector()[0];
  }
  return b;
}

void infer_dropout(InferContext& c) {
  c.set_output(0, c.dtype(0), c.shape(0));
  if (c.num_outputs() > 1) c.set_output(1, DType::Bool, c.shape(0));
}

void infer_cast(InferContext& c) {
  if (!c.node().has_attr("to")) c.fail("attribute 'to' is required");
  c.set_output(0, dtype_attr(c, "to"), c.shape(0));
}

constexpr OpTrait kUnary = OpTrait::kElementwiseUnary;
constexpr OpTraits kUnaryLut = OpTrait::kElementwiseUnary | OpTrait::kLookupTable;
// Lookup-table ops are the functions defined on every real input (so on every
// int8 value of any scale); Sqrt, Log, Reciprocal, ... are not.
const std::pair<const char*, OpTraits> kSameShapeUnary[] = {
    {"LeakyRelu", kUnaryLut},
    {"Sigmoid", kUnaryLut | OpTrait::kUnitIntervalOutput},
    {"HardSigmoid", kUnaryLut | OpTrait::kUnitIntervalOutput},
    {"HardSwish", kUnaryLut},
    {"Tanh", kUnaryLut},
    {"Elu", kUnaryLut},
    {"Selu", kUnaryLut},
    {"Softplus", kUnaryLut},
    {"Softsign", kUnaryLut},
    {"Celu", kUnary},
    {"ThresholdedRelu", kUnary},
    {"Sqrt", kUnary},
    {"Exp", kUnaryLut},
    {"Log", kUnary},
    {"Abs", kUnaryLut},
    {"Neg", kUnaryLut},
    {"Reciprocal", kUnary},
    {"Erf", kUnaryLut},
    {"Floor", kUnary},
    {"Ceil", kUnary},
    {"Round", kUnary},
    {"Sign", kUnary},
    {"Sin", kUnary},
    {"Cos", kUnary},
    {"Tan", kUnary},
    {"Asin", kUnary},
    {"Acos", kUnary},
    {"Atan", kUnary},
    {"Sinh", kUnary},
    {"Cosh", kUnary},
    {"Asinh", kUnary},
    {"Acosh", kUnary},
    {"Atanh", kUnary},
    {"Identity", kUnary | OpTrait::kDataMovement | OpTrait::kPassthrough},
    {"Hardmax", {}},  // over an axis, not element-wise
    {"Shrink", kUnary}};

struct RegisterUnary {
  RegisterUnary() {
    for (const auto& [op, traits] : kSameShapeUnary)
      register_op(OpSchema{op, "", 1, 1, 1, 1, infer_same_as_input0, traits});
    register_op(OpSchema{"IsNaN", "", 1, 1, 1, 1, infer_bool_same_shape, kUnary});
    register_op(OpSchema{"IsInf", "", 1, 1, 1, 1, infer_bool_same_shape, kUnary});
  }
} register_unary;

}  // namespace

// Clip's bounds (inputs 1 and 2) must be constants for a lookup table.
ETCH_REGISTER_OP({"Relu", "", 1, 1, 1, 1, infer_same_as_input0, kUnaryLut, std::nullopt, relu_clamp});
ETCH_REGISTER_OP({"Clip", "", 1, 3, 1, 1, infer_clip, kUnaryLut, std::nullopt, clip_clamp});
ETCH_REGISTER_OP({"Cast", "", 1, 1, 1, 1, infer_cast, kUnary});
ETCH_REGISTER_OP({"Dropout", "", 1, 3, 1, 2, infer_dropout, kUnary | OpTrait::kPassthrough});

}  // namespace etch::ir
