// CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, MediaPipe's
// Convolution2DTransposeBias and FULLY_CONNECTED. TFLite weights are OHWI
// (depthwise 1HW(C·M)); etch's Conv takes OIHW, ConvTranspose IOHW.
#include <cstring>

#include "etch/tflite/converter.h"
#include "etch/tflite/op_table.h"

namespace etch::tflite {

namespace {

using Attrs = std::map<std::string, ir::Attribute>;

struct Window {
  int64_t stride_h = 1, stride_w = 1, dil_h = 1, dil_w = 1;
  bool same = false;
};

void require_rank4(Converter& c, int t, const std::string& role) {
  ETCH_REQUIRE(c.info(t).shape.size() == 4, InvalidInput)
      << c.where() << ": " << role << " '" << c.info(t).name << "' has shape " << shape_str(c.info(t).shape)
      << ", expected rank 4";
}

void require_positive(Converter& c, const Window& w) {
  ETCH_REQUIRE(w.stride_h > 0 && w.stride_w > 0 && w.dil_h > 0 && w.dil_w > 0, InvalidInput)
      << c.where() << ": strides and dilations must be positive";
}

// Conv on NCHW with weights already OIHW (value w_oihw, kernel kh × kw).
void conv(Converter& c, const Window& win, ir::ValueId w_oihw, int64_t kh, int64_t kw, int64_t group, int fused) {
  const int x = c.input(0);
  require_positive(c, win);
  const Shape& xs = c.info(x).shape;
  const auto ph = same_padding(win.same, xs[1], kh, win.stride_h, win.dil_h);
  const auto pw = same_padding(win.same, xs[2], kw, win.stride_w, win.dil_w);
  Attrs a{{"kernel_shape", std::vector<int64_t>{kh, kw}},
          {"strides", std::vector<int64_t>{win.stride_h, win.stride_w}},
          {"dilations", std::vector<int64_t>{win.dil_h, win.dil_w}},
          {"pads", std::vector<int64_t>{ph.first, pw.first, ph.second, pw.second}},
          {"group", group}};
  std::vector<ir::ValueId> ins{c.get(x, true), w_oihw};
  if (c.input(2) >= 0) ins.push_back(c.get(c.input(2), false));
  c.set_output(c.output(0), c.add_node("Conv", ins, a), true, fused);
}

void conv2d(Converter& c) {
  c.require_arity(2, 1);
  const auto* o = c.op().builtin_options_as_Conv2DOptions();
  ETCH_REQUIRE(o, InvalidInput) << c.where() << " has no Conv2DOptions";
  require_rank4(c, c.input(0), "input");
  require_rank4(c, c.input(1), "weight");
  const Shape& ws = c.info(c.input(1)).shape;
  const int64_t cin = c.info(c.input(0)).shape[3];
  ETCH_REQUIRE(ws[3] > 0 && cin % ws[3] == 0, InvalidInput)
      << c.where() << ": input has " << cin << " channels, not a multiple of the weight's " << ws[3];
  c.const_data(c.input(1), "weight");
  Window w{o->stride_h(), o->stride_w(), o->dilation_h_factor(), o->dilation_w_factor(), o->padding() == 0};
  conv(c, w, c.constant(c.input(1), kToNchw), ws[1], ws[2], cin / ws[3], o->fused_activation_function());
}

void depthwise(Converter& c) {
  c.require_arity(2, 1);
  const auto* o = c.op().builtin_options_as_DepthwiseConv2DOptions();
  ETCH_REQUIRE(o, InvalidInput) << c.where() << " has no DepthwiseConv2DOptions";
  require_rank4(c, c.input(0), "input");
  require_rank4(c, c.input(1), "weight");
  const Shape& ws = c.info(c.input(1)).shape;
  const int64_t cin = c.info(c.input(0)).shape[3];
  ETCH_REQUIRE(ws[0] == 1 && cin > 0 && ws[3] % cin == 0, InvalidInput)
      << c.where() << ": depthwise weight " << shape_str(ws) << " does not fit " << cin << " input channels";
  c.const_data(c.input(1), "weight");
  Window w{o->stride_h(), o->stride_w(), o->dilation_h_factor(), o->dilation_w_factor(), o->padding() == 0};
  // 1·H·W·(C·M) → (C·M)·1·H·W: one group per input channel.
  conv(c, w, c.constant(c.input(1), {3, 0, 1, 2}), ws[1], ws[2], cin, o->fused_activation_function());
}

// Transposed conv producing the output tensor's NHWC shape; weights OHWI.
void transpose_conv(Converter& c, int x, int weight, int bias, bool same, int64_t sh, int64_t sw, int fused) {
  require_rank4(c, x, "input");
  require_rank4(c, weight, "weight");
  ETCH_REQUIRE(sh > 0 && sw > 0, InvalidInput) << c.where() << ": strides must be positive";
  c.const_data(weight, "weight");
  const Shape& ws = c.info(weight).shape;
  const Shape& xs = c.info(x).shape;
  const Shape& ys = c.info(c.output(0)).shape;
  ETCH_REQUIRE(ys.size() == 4 && ws[3] == xs[3] && ys[3] == ws[0], InvalidInput)
      << c.where() << ": input " << shape_str(xs) << ", weight " << shape_str(ws) << " and output " << shape_str(ys)
      << " do not fit a transposed convolution";
  // TFLite places the output window as the forward conv of the output would
  // see it: padding from the output size, the odd pixel at the end.
  std::vector<int64_t> pads(4), out_pad(2);
  const int64_t k[2] = {ws[1], ws[2]}, s[2] = {sh, sw}, in[2] = {xs[1], xs[2]}, out[2] = {ys[1], ys[2]};
  for (int d = 0; d < 2; ++d) {
    // The forward conv of the output must give the input back.
    const int64_t forward = same ? (out[d] + s[d] - 1) / s[d] : (out[d] - k[d] + s[d]) / s[d];
    ETCH_REQUIRE(forward == in[d], InvalidInput)
        << c.where() << ": output size " << out[d] << " (axis " << d + 1 << ") does not give back input size " << in[d]
        << " with kernel " << k[d] << ", stride " << s[d] << " and " << (same ? "SAME" : "VALID") << " padding";
    const int64_t before = same_padding(same, out[d], k[d], s[d], 1).first;
    const int64_t full = s[d] * (in[d] - 1) + k[d];
    int64_t after = full - before - out[d];
    if (after < 0) {
      out_pad[d] = -after;
      after = 0;
    }
    ETCH_REQUIRE(before >= 0 && out_pad[d] < s[d], InvalidInput)
        << c.where() << ": output size " << out[d] << " does not fit input size " << in[d] << ", kernel " << k[d]
        << " and stride " << s[d];
    pads[d] = before;
    pads[d + 2] = after;
  }
  Attrs a{{"kernel_shape", std::vector<int64_t>{ws[1], ws[2]}},
          {"strides", std::vector<int64_t>{sh, sw}},
          {"pads", pads},
          {"output_padding", out_pad}};
  std::vector<ir::ValueId> ins{c.get(x, true), c.constant(weight, {3, 0, 1, 2})};
  if (bias >= 0) ins.push_back(c.get(bias, false));
  c.set_output(c.output(0), c.add_node("ConvTranspose", ins, a), true, fused);
}

void transpose_conv_builtin(Converter& c) {
  // Inputs: output shape, weight, input, optional bias.
  c.require_arity(3, 1);
  const auto* o = c.op().builtin_options_as_TransposeConvOptions();
  ETCH_REQUIRE(o, InvalidInput) << c.where() << " has no TransposeConvOptions";
  const auto shape = c.const_ints(c.input(0), "output shape");
  ETCH_REQUIRE(shape == c.info(c.output(0)).shape, InvalidInput)
      << c.where() << ": output shape input " << shape_str(shape) << " differs from the output tensor's "
      << shape_str(c.info(c.output(0)).shape);
  transpose_conv(c, c.input(2), c.input(1), c.input(3), o->padding() == 0, o->stride_h(), o->stride_w(),
                 o->fused_activation_function());
}

// MediaPipe's custom op: inputs (input, weight OHWI, bias); custom options
// are three little-endian int32: padding (1 SAME, 2 VALID), stride_w, stride_h.
void transpose_conv_bias(Converter& c) {
  c.require_arity(3, 1);
  const auto* opts = c.op().custom_options();
  ETCH_REQUIRE(opts && opts->size() >= 12, InvalidInput)
      << c.where() << ": custom options must hold padding, stride_w and stride_h (12 bytes), found "
      << (opts ? opts->size() : 0) << " bytes";
  int32_t v[3];
  std::memcpy(v, opts->data(), 12);
  ETCH_REQUIRE(v[0] == 1 || v[0] == 2, InvalidInput)
      << c.where() << ": padding code " << v[0] << " in custom options (expected 1 SAME or 2 VALID)";
  transpose_conv(c, c.input(0), c.input(1), c.input(2), v[0] == 1, v[2], v[1], 0);
}

void fully_connected(Converter& c) {
  c.require_arity(2, 1);
  const auto* o = c.op().builtin_options_as_FullyConnectedOptions();
  const int fused = o ? o->fused_activation_function() : 0;
  ETCH_REQUIRE(!o || o->weights_format() == 0, Unsupported)
      << c.where() << ": shuffled weight format " << int{o->weights_format()} << " is not supported";
  const Shape& ws = c.info(c.input(1)).shape;
  const Shape& xs = c.info(c.input(0)).shape;
  ETCH_REQUIRE(ws.size() == 2 && !xs.empty() && ws[1] > 0, InvalidInput)
      << c.where() << ": weight " << shape_str(ws) << " is not [out, in]";
  int64_t n = 1;
  for (int64_t d : xs) n *= d;
  ETCH_REQUIRE(n % ws[1] == 0, InvalidInput)
      << c.where() << ": input " << shape_str(xs) << " does not split into rows of " << ws[1];
  ir::ValueId x = c.get(c.input(0), false);
  if (xs.size() != 2 || xs[1] != ws[1]) x = c.reshape(x, {n / ws[1], ws[1]});
  std::vector<ir::ValueId> ins{
      x, c.input(1) >= 0 && c.info(c.input(1)).data ? c.constant(c.input(1)) : c.get(c.input(1), false)};
  if (c.input(2) >= 0) ins.push_back(c.get(c.input(2), false));
  ir::ValueId y = c.add_node("Gemm", ins, {{"transB", int64_t{1}}});
  const Shape& ys = c.info(c.output(0)).shape;
  if (ys.size() != 2) y = c.reshape(y, ys);  // keep_num_dims
  c.set_output(c.output(0), y, false, fused);
}

}  // namespace

void register_conv_ops(OpTable& t) {
  t.builtin[fb::BuiltinOperator_CONV_2D] = conv2d;
  t.builtin[fb::BuiltinOperator_DEPTHWISE_CONV_2D] = depthwise;
  t.builtin[fb::BuiltinOperator_TRANSPOSE_CONV] = transpose_conv_builtin;
  t.builtin[fb::BuiltinOperator_FULLY_CONNECTED] = fully_connected;
  t.custom["Convolution2DTransposeBias"] = transpose_conv_bias;
}

}  // namespace etch::tflite
