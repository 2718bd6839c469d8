// ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM, PRELU, the comparisons LESS,
// GREATER_EQUAL (broadcasting; bool outputs), NEG, ABS, EXP, CAST and the
// activations LOGISTIC, TANH, RELU, RELU6, RELU_N1_TO_1, HARD_SWISH,
// LEAKY_RELU, SOFTMAX.
// They work in whatever layout their input is held in.
#include "etch/tflite/converter.h"
#include "etch/tflite/op_table.h"

namespace etch::tflite {

namespace {

// NCHW when the output is 4-D and an operand is already held so.
bool binary_layout(Converter& c) {
  if (c.info(c.output(0)).shape.size() != 4) return false;
  for (int i = 0; i < 2; ++i)
    if (c.held_nchw(c.input(i))) return true;
  return false;
}

template <typename Options>
int fused_of(const Options* o) {
  return o ? o->fused_activation_function() : 0;
}

void binary(Converter& c, const std::string& op_type, int fused) {
  c.require_arity(2, 1);
  const bool nchw = binary_layout(c);
  const ir::ValueId y = c.add_node(op_type, {c.get_broadcast(c.input(0), nchw), c.get_broadcast(c.input(1), nchw)});
  c.set_output(c.output(0), y, nchw, fused);
}

void add(Converter& c) { binary(c, "Add", fused_of(c.op().builtin_options_as_AddOptions())); }
void sub(Converter& c) { binary(c, "Sub", fused_of(c.op().builtin_options_as_SubOptions())); }
void mul(Converter& c) { binary(c, "Mul", fused_of(c.op().builtin_options_as_MulOptions())); }
void div(Converter& c) { binary(c, "Div", fused_of(c.op().builtin_options_as_DivOptions())); }
void prelu(Converter& c) { binary(c, "PRelu", 0); }

void unary(Converter& c, const std::string& op_type, std::map<std::string, ir::Attribute> attrs = {}) {
  c.require_arity(1, 1);
  const bool nchw = c.held_nchw(c.input(0));
  c.set_output(c.output(0), c.add_node(op_type, {c.get(c.input(0), nchw)}, std::move(attrs)), nchw, 0);
}

void clip(Converter& c, float lo, float hi) {
  c.require_arity(1, 1);
  const bool nchw = c.held_nchw(c.input(0));
  const ir::ValueId y = c.add_node("Clip", {c.get(c.input(0), nchw), c.add_const("clip_min", Tensor::scalar(lo)),
                                            c.add_const("clip_max", Tensor::scalar(hi))});
  c.set_output(c.output(0), y, nchw, 0);
}

void logistic(Converter& c) { unary(c, "Sigmoid"); }
void neg(Converter& c) { unary(c, "Neg"); }
void abs_op(Converter& c) { unary(c, "Abs"); }
void exp_op(Converter& c) { unary(c, "Exp"); }
void maximum(Converter& c) { binary(c, "Max", 0); }
void less(Converter& c) { binary(c, "Less", 0); }
void greater_equal(Converter& c) { binary(c, "GreaterOrEqual", 0); }

// CAST to the output tensor's type, as ONNX's Cast `to` (TensorProto numbers).
void cast(Converter& c) {
  c.require_arity(1, 1);
  const int out = c.output(0);
  int64_t to = 0;
  switch (c.info(out).type) {
    case fb::TensorType_FLOAT32:
      to = 1;
      break;
    case fb::TensorType_UINT8:
      to = 2;
      break;
    case fb::TensorType_INT8:
      to = 3;
      break;
    case fb::TensorType_INT32:
      to = 6;
      break;
    case fb::TensorType_INT64:
      to = 7;
      break;
    case fb::TensorType_BOOL:
      to = 9;
      break;
    default:
      ETCH_FAIL(Unsupported) << c.where() << ": output '" << c.info(out).name << "' has type "
                             << fb::EnumNameTensorType(c.info(out).type)
                             << "; CAST is read to FLOAT32, UINT8, INT8, INT32, INT64 and BOOL";
  }
  ETCH_REQUIRE(!c.info(out).quantized(), Unsupported)
      << c.where() << ": output '" << c.info(out).name << "' is quantized; a quantizing CAST is not read";
  unary(c, "Cast", {{"to", to}});
}
void minimum(Converter& c) { binary(c, "Min", 0); }
void tanh_op(Converter& c) { unary(c, "Tanh"); }
void relu(Converter& c) { unary(c, "Relu"); }
void hard_swish(Converter& c) { unary(c, "HardSwish"); }
void relu6(Converter& c) { clip(c, 0.0f, 6.0f); }
void relu_n1_to_1(Converter& c) { clip(c, -1.0f, 1.0f); }

void leaky_relu(Converter& c) {
  const auto* o = c.op().builtin_options_as_LeakyReluOptions();
  unary(c, "LeakyRelu", {{"alpha", o ? o->alpha() : 0.0f}});
}

// Softmax over the last TFLite axis (channels: axis 1 of an NCHW tensor),
// with TFLite's beta as a scale of the logits.
void softmax(Converter& c) {
  c.require_arity(1, 1);
  const auto* o = c.op().builtin_options_as_SoftmaxOptions();
  const float beta = o ? o->beta() : 1.0f;
  const int x = c.input(0);
  const bool nchw = c.held_nchw(x);
  ir::ValueId v = c.get(x, nchw);
  if (beta != 1.0f) v = c.add_node("Mul", {v, c.add_const("beta", Tensor::scalar(beta))});
  const int64_t axis = nchw ? 1 : -1;
  c.set_output(c.output(0), c.add_node("Softmax", {v}, {{"axis", axis}}), nchw, 0);
}

}  // namespace

void register_elementwise_ops(OpTable& t) {
  t.builtin[fb::BuiltinOperator_ADD] = add;
  t.builtin[fb::BuiltinOperator_SUB] = sub;
  t.builtin[fb::BuiltinOperator_MUL] = mul;
  t.builtin[fb::BuiltinOperator_DIV] = div;
  t.builtin[fb::BuiltinOperator_PRELU] = prelu;
  t.builtin[fb::BuiltinOperator_LOGISTIC] = logistic;
  t.builtin[fb::BuiltinOperator_NEG] = neg;
  t.builtin[fb::BuiltinOperator_ABS] = abs_op;
  t.builtin[fb::BuiltinOperator_EXP] = exp_op;
  t.builtin[fb::BuiltinOperator_MAXIMUM] = maximum;
  t.builtin[fb::BuiltinOperator_MINIMUM] = minimum;
  t.builtin[fb::BuiltinOperator_LESS] = less;
  t.builtin[fb::BuiltinOperator_GREATER_EQUAL] = greater_equal;
  t.builtin[fb::BuiltinOperator_CAST] = cast;
  t.builtin[fb::BuiltinOperator_TANH] = tanh_op;
  t.builtin[fb::BuiltinOperator_RELU] = relu;
  t.builtin[fb::BuiltinOperator_RELU6] = relu6;
  t.builtin[fb::BuiltinOperator_RELU_N1_TO_1] = relu_n1_to_1;
  t.builtin[fb::BuiltinOperator_HARD_SWISH] = hard_swish;
  t.builtin[fb::BuiltinOperator_LEAKY_RELU] = leaky_relu;
  t.builtin[fb::BuiltinOperator_SOFTMAX] = softmax;
}

}  // namespace etch::tflite
