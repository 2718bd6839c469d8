// QConv → CONV_2D or DEPTHWISE_CONV_2D, QGemm → FULLY_CONNECTED, and
// QAveragePool → DEPTHWISE_CONV_2D of ones. Weights are written per output
// channel, symmetric int8 (OHWI, or 1·H·W·C for depthwise), biases int32 on
// the scale x_scale·w_scale[c]. TFLite derives each channel's multiplier from
// those scales; the weight scale is the one etch derived its multiplier from,
// so the two agree bit for bit (export_writer.h checks it).
//
// TFLite's AVERAGE_POOL_2D requires equal input and output parameters and
// divides with its own rounding, and MEAN requantizes in two roundings; a
// depthwise convolution with weights 1 on the scale 1/(kH·kW) computes etch's
// QAveragePool exactly (window sum of x − x_zero_point, padding contributing
// 0, one requantization).
#include <cmath>
#include <utility>

#include "etch/core/error.h"
#include "etch/ir/ops/nn_window.h"
#include "etch/tflite/export_ops.h"

namespace etch::tflite {

namespace {

std::string input_is_int8_activation(const ir::Graph& g, const ir::Node& n, size_t i) {
  if (!n.has_input(i)) return "input " + std::to_string(i) + " is missing";
  const ir::Value& v = g.value(n.inputs[i]);
  if (v.dtype != DType::I8 || v.is_constant()) return "input '" + v.name + "' is not an int8 activation";
  return "";
}

std::string weights_ok(const ir::Graph& g, const ir::Node& n, int rank) {
  if (auto why = input_is_int8_activation(g, n, 0); !why.empty()) return why;
  const ir::Value& w = g.value(n.inputs.at(1));
  if (!w.is_constant() || (w.dtype != DType::I8 && w.dtype != DType::I4) || w.data->rank() != rank)
    return "weights '" + w.name + "' are not a constant int8 tensor of rank " + std::to_string(rank);
  if (n.has_input(2) && (!g.value(n.inputs[2]).is_constant() || g.value(n.inputs[2]).dtype != DType::I32))
    return "bias '" + g.value(n.inputs[2]).name + "' is not a constant int32 tensor";
  return "";
}

// 4-bit weights (two per byte) as int8 values: TFLite's kernels read int8.
Tensor int8_weights(const Tensor& w) {
  if (w.dtype() == DType::I8) return w;
  Tensor out(DType::I8, w.shape());
  const uint8_t* packed = w.raw();
  for (int64_t i = 0; i < w.numel(); ++i) {
    const int nibble = (packed[i / 2] >> ((i % 2) * 4)) & 0xF;
    out.data<int8_t>()[i] = static_cast<int8_t>(nibble >= 8 ? nibble - 16 : nibble);
  }
  return out;
}

// The weight scales written per output channel and the int32 bias on their
// product with the input scale.
struct ChannelScales {
  std::vector<float> w;
  QuantParams bias;
};

ChannelScales channel_scales(ExportWriter& w, const ir::Node& n, const ir::QConvParams& p, float xs, float ys,
                             int64_t m, const std::vector<float>& start) {
  ChannelScales s;
  for (int64_t c = 0; c < m; ++c) {
    const float init = start.empty() ? 1.0f : start[start.size() == 1 ? 0 : c];
    s.w.push_back(
        w.matching_weight_scale(xs, ys, init, p.channel(c), "node '" + n.name + "' channel " + std::to_string(c)));
    s.bias.scales.push_back(xs * s.w.back());
    s.bias.zero_points.push_back(0);
  }
  s.bias.axis = 0;
  return s;
}

int bias_tensor(ExportWriter& w, const ir::Node& n, int64_t m, const QuantParams& q) {
  Tensor b(DType::I32, {m});
  if (n.has_input(2)) {
    const Tensor& src = *w.graph().value(n.inputs[2]).data;
    ETCH_REQUIRE(src.numel() == m, InvalidInput)
        << n.describe() << ": bias has " << src.numel() << " values, expected " << m;
    b = src.reshaped({m});
  }
  return w.add_constant(n.name + "/bias", b, &q);
}

std::string check_qconv(const ir::Graph& g, const ir::Node& n) {
  if (auto why = weights_ok(g, n, 4); !why.empty()) return why;
  const Shape& ws = g.value(n.inputs[1]).data->shape();
  const ir::Value& x = g.value(n.inputs[0]);
  if (!x.has_shape || x.shape.size() != 4) return "input is not 4-D";
  const int64_t group = n.attr_int("group", 1), c = x.shape[1];
  if (group != 1 && !(group == c && ws[1] == 1 && ws[0] % c == 0))
    return "grouped convolution (group " + std::to_string(group) + " of " + std::to_string(c) +
           " channels) has no TFLite int8 kernel; only group 1 and depthwise are written";
  return "";
}

// The input's and the output's scale of an int8 node whose input is int8
// tensor 0: checks that the node's x zero point is its input's and records the
// output's parameters (y_scale, y's zero point) for the ops that read it.
std::pair<float, float> int8_scales(ExportWriter& w, const ir::Node& n, const QuantParams& xq, int32_t x_zero_point,
                                    int32_t y_zero_point) {
  ETCH_REQUIRE(xq.zero_points[0] == x_zero_point, Internal)
      << n.describe() << ": x_zero_point " << x_zero_point << " differs from its input's " << xq.zero_points[0];
  const float ys = n.attr_float("y_scale", 0.0f);
  ETCH_REQUIRE(ys > 0, InvalidInput) << n.describe() << ": attribute y_scale is missing";
  w.set_params(n.outputs[0], QuantParams{{ys}, {y_zero_point}, -1});
  return {xq.scales[0], ys};
}

QuantParams per_channel(const std::vector<float>& scales, int axis) {
  return QuantParams{scales, std::vector<int32_t>(scales.size(), 0), axis};
}

void emit_qconv(ExportWriter& w, const ir::Node& n) {
  const ir::Graph& g = w.graph();
  const Tensor weights = int8_weights(*g.value(n.inputs[1]).data);
  const int64_t m = weights.dim(0);
  const ir::QConvParams p = ir::qconv_params(n, m);
  const QuantParams& xq = w.params(n.inputs[0]);
  const auto [xs, ys] = int8_scales(w, n, xq, p.x_zero_point, p.y.zero_point);
  const ir::ValueId y = n.outputs[0];

  const Shape in = w.etch_shape(n.inputs[0]);
  const std::vector<int64_t> kernel{weights.dim(2), weights.dim(3)};
  const ir::Window win = ir::resolve_window(n, {in[2], in[3]}, kernel, false);
  TflitePadding pad = tflite_padding(win.in, kernel, win.strides, win.dilations, win.pad_begin, win.pad_end);
  int x = w.tensor(n.inputs[0]);
  if (pad.needs_pad) x = pad_input(w, x, n.name + "/pad", &xq, pad);

  const bool depthwise = n.attr_int("group", 1) != 1;
  const ChannelScales s = channel_scales(w, n, p, xs, ys, m, n.attr_floats("w_scales"));
  const QuantParams wq = per_channel(s.w, depthwise ? 3 : 0);
  const int wt = w.add_constant(n.name + "/weights",
                                permute_tensor(weights, depthwise ? std::vector<int>{1, 2, 3, 0} : kNchwToNhwc), &wq);
  const int bt = bias_tensor(w, n, m, s.bias);
  const OutputClamp out = begin_output(w, y, p.y.act_min, p.y.act_max);
  const auto act = static_cast<fb::ActivationFunctionType>(out.fused);
  const int sh = static_cast<int>(win.strides[0]), sw = static_cast<int>(win.strides[1]);
  const int dh = static_cast<int>(win.dilations[0]), dw = static_cast<int>(win.dilations[1]);
  if (depthwise) {
    const int mult = static_cast<int>(m / in[1]);
    w.add_op(fb::BuiltinOperator_DEPTHWISE_CONV_2D, 3, {x, wt, bt}, {out.core_out},
             fb::BuiltinOptions_DepthwiseConv2DOptions,
             fb::CreateDepthwiseConv2DOptions(w.fbb(), pad.padding, sw, sh, mult, act, dw, dh).Union());
  } else {
    w.add_op(fb::BuiltinOperator_CONV_2D, 3, {x, wt, bt}, {out.core_out}, fb::BuiltinOptions_Conv2DOptions,
             fb::CreateConv2DOptions(w.fbb(), pad.padding, sw, sh, act, dw, dh).Union());
  }
  end_output(w, y, out);
}

std::string check_qgemm(const ir::Graph& g, const ir::Node& n) {
  if (auto why = weights_ok(g, n, 2); !why.empty()) return why;
  const ir::Value& x = g.value(n.inputs[0]);
  if (!x.has_shape || x.shape.size() != 2) return "input is not 2-D";
  return "";
}

void emit_qgemm(ExportWriter& w, const ir::Node& n) {
  const ir::Graph& g = w.graph();
  const Tensor weights = int8_weights(*g.value(n.inputs[1]).data);
  const int64_t m = weights.dim(0);
  const ir::QConvParams p = ir::qconv_params(n, m);
  const QuantParams& xq = w.params(n.inputs[0]);
  const auto [xs, ys] = int8_scales(w, n, xq, p.x_zero_point, p.y.zero_point);
  const ir::ValueId y = n.outputs[0];
  const ChannelScales s = channel_scales(w, n, p, xs, ys, m, n.attr_floats("w_scales"));
  const QuantParams wq = per_channel(s.w, 0);
  const int wt = w.add_constant(n.name + "/weights", weights, &wq);
  const int bt = bias_tensor(w, n, m, s.bias);
  const int x = w.tensor(n.inputs[0]);
  const OutputClamp out = begin_output(w, y, p.y.act_min, p.y.act_max);
  w.add_op(fb::BuiltinOperator_FULLY_CONNECTED, 4, {x, wt, bt}, {out.core_out},
           fb::BuiltinOptions_FullyConnectedOptions,
           fb::CreateFullyConnectedOptions(w.fbb(), static_cast<fb::ActivationFunctionType>(out.fused)).Union());
  end_output(w, y, out);
}

std::string check_qpool(const ir::Graph& g, const ir::Node& n) {
  if (auto why = input_is_int8_activation(g, n, 0); !why.empty()) return why;
  const ir::Value& x = g.value(n.inputs[0]);
  if (!x.has_shape || x.shape.size() != 4) return "input is not 4-D";
  return "";
}

void emit_qpool(ExportWriter& w, const ir::Node& n) {
  const ir::QPoolParams p = ir::qpool_params(n);
  const QuantParams& xq = w.params(n.inputs[0]);
  const auto [xs, ys] = int8_scales(w, n, xq, p.x_zero_point, p.y.zero_point);
  const ir::ValueId y = n.outputs[0];
  const Shape in = w.etch_shape(n.inputs[0]);
  const std::vector<int64_t> kernel = n.attr_ints("kernel_shape");
  ETCH_REQUIRE(kernel.size() == 2, InvalidInput) << n.describe() << ": kernel_shape must have 2 values";
  const ir::Window win = ir::resolve_window(n, {in[2], in[3]}, kernel, false);
  TflitePadding pad = tflite_padding(win.in, kernel, win.strides, win.dilations, win.pad_begin, win.pad_end);
  // TFLite's SAME padding of a depthwise conv counts padded pixels as the zero
  // point too, as etch's QAveragePool does.
  int x = w.tensor(n.inputs[0]);
  if (pad.needs_pad) x = pad_input(w, x, n.name + "/pad", &xq, pad);
  const int64_t c = in[1];
  ir::QConvParams one;
  one.requant = {p.requant};
  const float area = static_cast<float>(kernel[0] * kernel[1]);
  const ChannelScales s = channel_scales(w, n, one, xs, ys, c, {1.0f / area});
  Tensor ones(DType::I8, {1, kernel[0], kernel[1], c});
  for (int64_t i = 0; i < ones.numel(); ++i) ones.data<int8_t>()[i] = 1;
  const QuantParams wq = per_channel(s.w, 3);
  const int wt = w.add_constant(n.name + "/ones", ones, &wq);
  const int bt = w.add_constant(n.name + "/bias", Tensor(DType::I32, {c}), &s.bias);
  const OutputClamp out = begin_output(w, y, p.y.act_min, p.y.act_max);
  w.add_op(fb::BuiltinOperator_DEPTHWISE_CONV_2D, 3, {x, wt, bt}, {out.core_out},
           fb::BuiltinOptions_DepthwiseConv2DOptions,
           fb::CreateDepthwiseConv2DOptions(w.fbb(), pad.padding, static_cast<int>(win.strides[1]),
                                            static_cast<int>(win.strides[0]), 1,
                                            static_cast<fb::ActivationFunctionType>(out.fused))
               .Union());
  end_output(w, y, out);
}

}  // namespace

void register_export_weighted_ops(ExportTable& t) {
  t["QConv"] = {check_qconv, emit_qconv};
  t["QGemm"] = {check_qgemm, emit_qgemm};
  t["QAveragePool"] = {check_qpool, emit_qpool};
}

}  // namespace etch::tflite
