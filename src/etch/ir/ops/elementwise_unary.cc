// Schemas of the one-input element-wise ops (activations, math, logic) and of
// Clip, Cast, Dropout and Identity: the output has the input's shape.
#include "etch/ir/op_registry.h"

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

void infer_dropout(InferContext& c) {
  c.set_output(0, c.dtype(0), c.shape(0));
  if (c.num_outputs() > 1) c.set_output(1, DType::Bool, c.shape(0));
}

// onnx.TensorProto.DataType values of the dtypes etch has.
const char* onnx_type_name(int64_t t) {
  static const char* names[] = {"UNDEFINED", "FLOAT",  "UINT8",     "INT8",       "UINT16",  "INT16",
                                "INT32",     "INT64",  "STRING",    "BOOL",       "FLOAT16", "DOUBLE",
                                "UINT32",    "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"};
  return t >= 0 && t <= 16 ? names[t] : "unknown";
}

void infer_cast(InferContext& c) {
  if (!c.node().has_attr("to")) c.fail("attribute 'to' is required");
  const int64_t to = c.node().attr_int("to", 0);
  DType out;
  switch (to) {
    case 1:
      out = DType::F32;
      break;
    case 2:
      out = DType::U8;
      break;
    case 3:
      out = DType::I8;
      break;
    case 6:
      out = DType::I32;
      break;
    case 7:
      out = DType::I64;
      break;
    case 9:
      out = DType::Bool;
      break;
    default:
      ETCH_FAIL(Unsupported) << c.node().describe() << ": cast to " << onnx_type_name(to) << " (" << to
                             << ") is not supported; etch has float32, uint8, int8, int32, int64 and bool";
  }
  c.set_output(0, out, c.shape(0));
}

const char* kSameShapeUnary[] = {"Relu",  "LeakyRelu", "Sigmoid",  "HardSigmoid", "HardSwish", "Tanh",
                                 "Elu",   "Selu",      "Softplus", "Softsign",    "Celu",      "ThresholdedRelu",
                                 "Sqrt",  "Exp",       "Log",      "Abs",         "Neg",       "Reciprocal",
                                 "Erf",   "Floor",     "Ceil",     "Round",       "Sign",      "Sin",
                                 "Cos",   "Tan",       "Asin",     "Acos",        "Atan",      "Sinh",
                                 "Cosh",  "Asinh",     "Acosh",    "Atanh",       "Identity",  "Hardmax",
                                 "Shrink"};

struct RegisterUnary {
  RegisterUnary() {
    for (const char* op : kSameShapeUnary) register_op(OpSchema{op, "", 1, 1, 1, 1, infer_same_as_input0});
    register_op(OpSchema{"IsNaN", "", 1, 1, 1, 1, infer_bool_same_shape});
    register_op(OpSchema{"IsInf", "", 1, 1, 1, 1, infer_bool_same_shape});
  }
} register_unary;

}  // namespace

ETCH_REGISTER_OP({"Clip", "", 1, 3, 1, 1, infer_clip});
ETCH_REGISTER_OP({"Cast", "", 1, 1, 1, 1, infer_cast});
ETCH_REGISTER_OP({"Dropout", "", 1, 3, 1, 2, infer_dropout});

}  // namespace etch::ir
