// ConvInteger and QLinearConv kernels on the shared integer conv core.
// QLinearConv follows the ONNX reference: exact int32 sum (+ int32 bias),
// scaled by the float32 multiplier x_scale·w_scale[m]/y_scale in double,
// rounded half to even, offset by y_zero_point and saturated.
#include <algorithm>
#include <string>

#include "etch/runtime/kernels/quant_common.h"
#include "etch/runtime/kernels/quant_conv_core.h"

namespace etch::runtime {
namespace {
using namespace quant_detail;

// (w − w_zero[m]) as int32, one row per output channel.
std::vector<int32_t> centered_weights(const KernelContext& c, size_t w_index, size_t zp_index, int64_t out_channels) {
  const Tensor& w = c.input(w_index);
  std::vector<int32_t> v = int32_values(w);
  const std::vector<int32_t> zp = int_param(c, zp_index, out_channels, "w_zero_point");
  const int64_t per = out_channels > 0 ? w.numel() / out_channels : 0;
  for (int64_t m = 0; m < out_channels; ++m)
    for (int64_t k = 0; k < per; ++k) v[m * per + k] -= zp[m];
  return v;
}

int32_t scalar_zero_point(const KernelContext& c, size_t i, const char* name) { return int_param(c, i, 1, name)[0]; }

void conv_integer(KernelContext& c) {
  const Tensor& x = c.input(0);
  const ir::ConvGeometry g = ir::resolve_conv_geometry(c.node(), x.shape(), c.input(1).shape());
  const std::vector<int32_t> w = centered_weights(c, 1, 3, g.out_channels);
  const int32_t x_zero = scalar_zero_point(c, 2, "x_zero_point");
  int32_t* y = c.output(0).data<int32_t>();
  const int64_t plane = g.out[0] * g.out[1] * g.out[2];
  const IntConvEpilogue store = [&](int64_t n, int64_t m, int64_t p0, int64_t count, const int32_t* acc) {
    std::copy(acc, acc + count, y + (n * g.out_channels + m) * plane + p0);
  };
  if (x.dtype() == DType::U8)
    integer_conv(g, x.data<uint8_t>(), x_zero, w, store);
  else
    integer_conv(g, x.data<int8_t>(), x_zero, w, store);
}

template <typename Y>
void qlinear_conv_to(KernelContext& c, const ir::ConvGeometry& g, const std::vector<int32_t>& w) {
  const Tensor& x = c.input(0);
  const float x_scale = float_param(c, 1, 1, "x_scale")[0];
  const int32_t x_zero = scalar_zero_point(c, 2, "x_zero_point");
  const std::vector<float> w_scale = float_param(c, 4, g.out_channels, "w_scale");
  const float y_scale = float_param(c, 6, 1, "y_scale")[0];
  const int32_t y_zero = scalar_zero_point(c, 7, "y_zero_point");
  const std::vector<int32_t> bias = int_param(c, 8, g.out_channels, "bias");
  if (c.has_input(8) && c.input(8).numel() != g.out_channels)
    c.fail("bias has " + std::to_string(c.input(8).numel()) + " values, expected " + std::to_string(g.out_channels));
  std::vector<float> multiplier(static_cast<size_t>(g.out_channels));
  for (int64_t m = 0; m < g.out_channels; ++m) multiplier[m] = x_scale * w_scale[m] / y_scale;

  Y* y = c.output(0).data<Y>();
  const int64_t plane = g.out[0] * g.out[1] * g.out[2];
  const IntConvEpilogue store = [&](int64_t n, int64_t m, int64_t p0, int64_t count, const int32_t* acc) {
    Y* dst = y + (n * g.out_channels + m) * plane + p0;
    const int32_t b = bias[m];
    for (int64_t p = 0; p < count; ++p) {
      // Wrapping add, like the int32 accumulation it extends.
      const int32_t sum = static_cast<int32_t>(static_cast<uint32_t>(acc[p]) + static_cast<uint32_t>(b));
      dst[p] = requantize_onnx<Y>(sum, multiplier[m], y_zero);
    }
  };
  if (x.dtype() == DType::U8)
    integer_conv(g, x.data<uint8_t>(), x_zero, w, store);
  else
    integer_conv(g, x.data<int8_t>(), x_zero, w, store);
}

void qlinear_conv(KernelContext& c) {
  const ir::ConvGeometry g = ir::resolve_conv_geometry(c.node(), c.input(0).shape(), c.input(3).shape());
  const std::vector<int32_t> w = centered_weights(c, 3, 5, g.out_channels);
  if (c.output(0).dtype() == DType::U8)
    qlinear_conv_to<uint8_t>(c, g, w);
  else
    qlinear_conv_to<int8_t>(c, g, w);
}

}  // namespace

ETCH_REGISTER_KERNEL("ConvInteger", "", DType::U8, conv_integer);
ETCH_REGISTER_KERNEL("ConvInteger", "", DType::I8, conv_integer);
ETCH_REGISTER_KERNEL("QLinearConv", "", DType::U8, qlinear_conv);
ETCH_REGISTER_KERNEL("QLinearConv", "", DType::I8, qlinear_conv);

}  // namespace etch::runtime
