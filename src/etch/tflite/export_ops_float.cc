// Writers of the float parts of an int8 graph: QuantizeLinear /
// DequantizeLinear at the float boundary → QUANTIZE / DEQUANTIZE, and the
// float Add / Sub / Mul / Div, Softmax and ReduceMean that run before
// quantization (an input normalisation), after it, or in a region etch's
// quantizer leaves in float (a squeeze-and-excitation mean).
#include "etch/core/error.h"
#include "etch/tflite/export_ops.h"

namespace etch::tflite {

namespace {

const Tensor* constant_input(const ir::Graph& g, const ir::Node& n, size_t i) {
  return n.has_input(i) && g.value(n.inputs[i]).is_constant() ? &*g.value(n.inputs[i]).data : nullptr;
}

std::string check_quantize(const ir::Graph& g, const ir::Node& n) {
  if (auto why = input_of_type(g, n, 0, DType::F32); !why.empty()) return why;
  const Tensor* s = constant_input(g, n, 1);
  const Tensor* z = constant_input(g, n, 2);
  if (!s || s->numel() != 1 || !z || z->numel() != 1 || z->dtype() != DType::I8)
    return "not a per-tensor QuantizeLinear to int8 with constant scale and zero point";
  return "";
}

void emit_quantize(ExportWriter& w, const ir::Node& n) {
  const ir::Graph& g = w.graph();
  const float s = constant_input(g, n, 1)->data<float>()[0];
  const int32_t z = constant_input(g, n, 2)->data<int8_t>()[0];
  w.set_params(n.outputs[0], QuantParams{{s}, {z}, -1});
  w.add_op(fb::BuiltinOperator_QUANTIZE, 2, {w.tensor(n.inputs[0])}, {w.define(n.outputs[0])});
}

std::string check_dequantize(const ir::Graph& g, const ir::Node& n) {
  if (auto why = input_of_type(g, n, 0, DType::I8); !why.empty()) return why;
  if (g.value(n.inputs[0]).is_constant()) return "a constant DequantizeLinear (weights etch did not lower)";
  const Tensor* s = constant_input(g, n, 1);
  if (!s || s->numel() != 1) return "not a per-tensor DequantizeLinear";
  return "";
}

void emit_dequantize(ExportWriter& w, const ir::Node& n) {
  const ir::Graph& g = w.graph();
  const Tensor* z = constant_input(g, n, 2);
  const QuantParams want{{constant_input(g, n, 1)->data<float>()[0]}, {z ? z->data<int8_t>()[0] : 0}, -1};
  ETCH_REQUIRE(w.params(n.inputs[0]) == want, Unsupported)
      << "TFLite export: " << n.describe() << " dequantizes with other parameters than its input was quantized with";
  w.add_op(fb::BuiltinOperator_DEQUANTIZE, 2, {w.tensor(n.inputs[0])}, {w.define(n.outputs[0])});
}

std::string check_float_binary(const ir::Graph& g, const ir::Node& n) {
  const ir::Value& y = g.value(n.outputs.at(0));
  if (y.dtype != DType::F32 || !y.has_shape) return "output is not float of known shape";
  for (size_t i = 0; i < 2; ++i) {
    const ir::Value& v = g.value(n.inputs.at(i));
    if (v.dtype != DType::F32 || !v.has_shape) return "input '" + v.name + "' is not float of known shape";
    if (!v.is_constant() && v.shape.size() != y.shape.size()) return "an activation input of another rank";
  }
  return "";
}

template <fb::BuiltinOperator kCode>
void emit_float_binary(ExportWriter& w, const ir::Node& n) {
  const ir::Graph& g = w.graph();
  const size_t rank = w.etch_shape(n.outputs[0]).size();
  std::vector<int> ins;
  for (size_t i = 0; i < 2; ++i) {
    const ir::Value& v = g.value(n.inputs[i]);
    if (v.is_constant() && rank == 4) {  // numpy broadcasting to 4-D, then NHWC
      Shape s(4 - v.data->rank(), 1);
      s.insert(s.end(), v.data->shape().begin(), v.data->shape().end());
      ins.push_back(w.add_constant(v.name, permute_tensor(v.data->reshaped(s), kNchwToNhwc)));
    } else {
      ins.push_back(w.tensor(n.inputs[i]));
    }
  }
  const int y = w.define(n.outputs[0]);
  auto& b = w.fbb();
  switch (kCode) {
    case fb::BuiltinOperator_ADD:
      w.add_op(kCode, 1, ins, {y}, fb::BuiltinOptions_AddOptions, fb::CreateAddOptions(b).Union());
      break;
    case fb::BuiltinOperator_SUB:
      w.add_op(kCode, 1, ins, {y}, fb::BuiltinOptions_SubOptions, fb::CreateSubOptions(b).Union());
      break;
    case fb::BuiltinOperator_MUL:
      w.add_op(kCode, 1, ins, {y}, fb::BuiltinOptions_MulOptions, fb::CreateMulOptions(b).Union());
      break;
    default:
      w.add_op(kCode, 1, ins, {y}, fb::BuiltinOptions_DivOptions, fb::CreateDivOptions(b).Union());
  }
}

std::string check_softmax(const ir::Graph& g, const ir::Node& n) {
  if (auto why = input_of_type(g, n, 0, DType::F32); !why.empty()) return why;
  const int64_t rank = static_cast<int64_t>(g.value(n.inputs[0]).shape.size());
  const int64_t axis = n.attr_int("axis", -1);
  if (rank == 4 || (axis != -1 && axis != rank - 1))
    return "softmax over an axis other than the last of a non-4-D tensor";
  return "";
}

void emit_softmax(ExportWriter& w, const ir::Node& n) {
  w.add_op(fb::BuiltinOperator_SOFTMAX, 1, {w.tensor(n.inputs[0])}, {w.define(n.outputs[0])},
           fb::BuiltinOptions_SoftmaxOptions, fb::CreateSoftmaxOptions(w.fbb(), 1.0f).Union());
}

// Float ReduceMean (a region etch's quantizer leaves in float, e.g. a
// squeeze-and-excitation mean): MEAN over the same axes in TFLite's layout.
std::vector<int64_t> reduce_axes(const ir::Graph& g, const ir::Node& n) {
  if (n.has_input(1) && g.value(n.inputs[1]).is_constant()) return g.value(n.inputs[1]).data->to_int64_vector();
  return n.attr_ints("axes");
}

std::string check_mean(const ir::Graph& g, const ir::Node& n) {
  if (auto why = input_of_type(g, n, 0, DType::F32); !why.empty()) return why;
  if (n.has_input(1) && !g.value(n.inputs[1]).is_constant()) return "axes are not a constant";
  if (reduce_axes(g, n).empty()) return "a mean over all axes is not written";
  return "";
}

void emit_mean(ExportWriter& w, const ir::Node& n) {
  const int rank = static_cast<int>(w.etch_shape(n.inputs[0]).size());
  const bool keep = n.attr_int("keepdims", 1) != 0;
  ETCH_REQUIRE(rank != 4 || keep || w.etch_shape(n.outputs[0]).size() != 4, Internal) << n.describe();
  ETCH_REQUIRE(rank != 4 || keep, Unsupported)
      << "TFLite export: " << n.describe() << ": a mean of a 4-D tensor without keepdims is not written";
  std::vector<int32_t> axes;
  for (int64_t a : reduce_axes(w.graph(), n)) {
    const int axis = static_cast<int>(a < 0 ? a + rank : a);
    axes.push_back(rank == 4 ? std::vector<int>{0, 3, 1, 2}[axis] : axis);
  }
  const int at = w.add_int32s(n.name + "/axes", axes);
  w.add_op(fb::BuiltinOperator_MEAN, 1, {w.tensor(n.inputs[0]), at}, {w.define(n.outputs[0])},
           fb::BuiltinOptions_ReducerOptions, fb::CreateReducerOptions(w.fbb(), keep).Union());
}

}  // namespace

void register_export_float_ops(ExportTable& t) {
  t["QuantizeLinear"] = {check_quantize, emit_quantize};
  t["DequantizeLinear"] = {check_dequantize, emit_dequantize};
  t["Add"] = {check_float_binary, emit_float_binary<fb::BuiltinOperator_ADD>};
  t["Sub"] = {check_float_binary, emit_float_binary<fb::BuiltinOperator_SUB>};
  t["Mul"] = {check_float_binary, emit_float_binary<fb::BuiltinOperator_MUL>};
  t["Div"] = {check_float_binary, emit_float_binary<fb::BuiltinOperator_DIV>};
  t["Softmax"] = {check_softmax, emit_softmax};
  t["ReduceMean"] = {check_mean, emit_mean};
}

}  // namespace etch::tflite
