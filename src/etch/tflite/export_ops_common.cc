// The export op table and what the op writers share: fused activations from
// clamp ranges, SAME/VALID padding, PAD.
#include "etch/core/error.h"
#include "etch/tflite/export_ops.h"
#include "etch/tflite/op_table.h"

namespace etch::tflite {

const ExportTable& export_table() {
  static const ExportTable table = [] {
    ExportTable t;
    register_export_weighted_ops(t);
    register_export_other_ops(t);
    return t;
  }();
  return table;
}

std::string input_of_type(const ir::Graph& g, const ir::Node& n, size_t i, DType want) {
  if (!n.has_input(i)) return "input " + std::to_string(i) + " is missing";
  const ir::Value& v = g.value(n.inputs[i]);
  if (v.dtype != want) return "input '" + v.name + "' is " + dtype_name(v.dtype) + ", expected " + dtype_name(want);
  if (!v.has_shape) return "input '" + v.name + "' has no known shape";
  return "";
}

OutputClamp begin_output(ExportWriter& w, ir::ValueId y, int32_t act_min, int32_t act_max) {
  OutputClamp c;
  c.lo = act_min;
  c.hi = act_max;
  const QuantParams& q = w.params(y);
  const float s = q.scales[0];
  const int32_t z = q.zero_points[0];
  auto lo = [](int32_t v) { return std::max<int32_t>(-128, v); };
  auto hi = [](int32_t v) { return std::min<int32_t>(127, v); };
  // TFLite's CalculateActivationRangeQuantized for each fused activation.
  const std::pair<int, std::pair<int32_t, int32_t>> fused[] = {
      {fb::ActivationFunctionType_NONE, {-128, 127}},
      {fb::ActivationFunctionType_RELU, {lo(z), 127}},
      {fb::ActivationFunctionType_RELU6, {lo(z), hi(tflite_quantize(6.0f, s, z))}},
      {fb::ActivationFunctionType_RELU_N1_TO_1, {lo(tflite_quantize(-1.0f, s, z)), hi(tflite_quantize(1.0f, s, z))}},
  };
  for (const auto& [code, range] : fused) {
    if (range == std::pair<int32_t, int32_t>{act_min, act_max}) {
      c.fused = code;
      c.core_out = w.define(y);
      return c;
    }
  }
  c.extra = true;
  c.core_out = w.add_tensor(w.graph().value(y).name + "/unclamped", DType::I8, w.shape_of(y), &q);
  return c;
}

void end_output(ExportWriter& w, ir::ValueId y, const OutputClamp& c) {
  if (!c.extra) return;
  // MAXIMUM/MINIMUM compare the int8 values as stored; the bounds are int8
  // constants on the output's grid.
  const QuantParams& q = w.params(y);
  const std::string base = w.graph().value(y).name;
  int x = c.core_out;
  if (c.lo > -128) {
    const int lo = w.add_constant(base + "/act_min", Tensor::from_vector<int8_t>({1}, {static_cast<int8_t>(c.lo)}), &q);
    const int out = c.hi < 127 ? w.add_tensor(base + "/lower_clamped", DType::I8, w.shape_of(y), &q) : w.define(y);
    w.add_op(fb::BuiltinOperator_MAXIMUM, 2, {x, lo}, {out}, fb::BuiltinOptions_MaximumMinimumOptions,
             fb::CreateMaximumMinimumOptions(w.fbb()).Union());
    x = out;
  }
  if (c.hi < 127) {
    const int hi = w.add_constant(base + "/act_max", Tensor::from_vector<int8_t>({1}, {static_cast<int8_t>(c.hi)}), &q);
    w.add_op(fb::BuiltinOperator_MINIMUM, 2, {x, hi}, {w.define(y)}, fb::BuiltinOptions_MaximumMinimumOptions,
             fb::CreateMaximumMinimumOptions(w.fbb()).Union());
  }
}

TflitePadding tflite_padding(const std::vector<int64_t>& in, const std::vector<int64_t>& kernel,
                             const std::vector<int64_t>& strides, const std::vector<int64_t>& dilations,
                             const std::vector<int64_t>& pad_begin, const std::vector<int64_t>& pad_end) {
  TflitePadding p;
  p.begin = pad_begin;
  p.end = pad_end;
  bool zero = true, same = true;
  for (size_t i = 0; i < 2; ++i) {
    zero = zero && pad_begin[i] == 0 && pad_end[i] == 0;
    const auto want = same_padding(true, in[i], kernel[i], strides[i], dilations[i]);
    same = same && want == std::pair<int64_t, int64_t>{pad_begin[i], pad_end[i]};
  }
  if (zero) return p;
  if (same) {
    p.padding = fb::Padding_SAME;
    return p;
  }
  p.needs_pad = true;
  return p;
}

int pad_input(ExportWriter& w, int x, const std::string& name, const QuantParams* q, const TflitePadding& p) {
  const Shape& s = w.tensor_shape(x);  // NHWC
  const Shape out{s[0], s[1] + p.begin[0] + p.end[0], s[2] + p.begin[1] + p.end[1], s[3]};
  Tensor pads =
      Tensor::from_vector<int32_t>({4, 2}, {0, 0, static_cast<int32_t>(p.begin[0]), static_cast<int32_t>(p.end[0]),
                                            static_cast<int32_t>(p.begin[1]), static_cast<int32_t>(p.end[1]), 0, 0});
  const int pt = w.add_constant(name + "/paddings", pads);
  const int y = w.add_tensor(name, q ? DType::I8 : DType::F32, out, q);
  w.add_op(fb::BuiltinOperator_PAD, 2, {x, pt}, {y}, fb::BuiltinOptions_PadOptions,
           fb::CreatePadOptions(w.fbb()).Union());
  return y;
}

}  // namespace etch::tflite
