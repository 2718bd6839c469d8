// QuantizeLinear / DequantizeLinear / DynamicQuantizeLinear kernels: ONNX
// semantics (round half to even, saturate), per tensor or per axis.
#include <algorithm>
#include <cmath>
#include <string>

#include "etch/core/thread_pool.h"
#include "etch/ir/ops/quant_params.h"
#include "etch/runtime/kernel_overwrites.h"
#include "etch/runtime/kernels/quant_common.h"
#include "etch/runtime/requantize_row.h"

namespace etch::runtime {
namespace {
using namespace quant_detail;

// Splits x's shape around the quantization axis: [outer, channels, inner].
struct AxisSplit {
  int64_t outer = 1, channels = 1, inner = 1;
};

AxisSplit split_for(const KernelContext& c) {
  const Tensor& x = c.input(0);
  const Shape zp_shape = c.has_input(2) ? c.input(2).shape() : Shape{};
  const int64_t axis =
      ir::resolve_quant_axis(c.node(), x.shape(), c.input(1).shape(), c.has_input(2) ? &zp_shape : nullptr);
  AxisSplit s;
  if (axis < 0) {
    s.inner = x.numel();
    return s;
  }
  for (int64_t d = 0; d < axis; ++d) s.outer *= x.dim(static_cast<int>(d));
  s.channels = x.dim(static_cast<int>(axis));
  for (int64_t d = axis + 1; d < x.rank(); ++d) s.inner *= x.dim(static_cast<int>(d));
  return s;
}

template <typename T>
void quantize_into(KernelContext& c, const AxisSplit& s, const std::vector<float>& scale,
                   const std::vector<int32_t>& zp) {
  const float* x = c.input(0).data<float>();
  T* y = c.output(0).data<T>();
  for (float sc : scale)
    if (!(sc > 0) || !std::isfinite(sc)) c.fail("y_scale must be positive and finite, got " + std::to_string(sc));
  // Tasks are (row, chunk of the row), so one large per-tensor row splits too.
  const int64_t chunk = 16384, chunks = std::max<int64_t>(1, (s.inner + chunk - 1) / chunk);
  parallel_for(s.outer * s.channels * chunks, std::max<int64_t>(1, chunk / std::max<int64_t>(s.inner, 1)),
               [&](int64_t b, int64_t e) {
                 for (int64_t t = b; t < e; ++t) {
                   const int64_t oc = t / chunks, ch = oc % s.channels;
                   const int64_t i0 = t % chunks * chunk, i1 = std::min(s.inner, i0 + chunk);
                   const int64_t base = oc * s.inner + i0;
                   quantize_row_half_even<T>(x + base, i1 - i0, scale[ch], zp[ch], y + base);
                 }
               });
}

void quantize_linear(KernelContext& c) {
  const AxisSplit s = split_for(c);
  const std::vector<float> scale = float_param(c, 1, s.channels, "y_scale");
  const std::vector<int32_t> zp = int_param(c, 2, s.channels, "y_zero_point");
  if (c.output(0).dtype() == DType::U8)
    quantize_into<uint8_t>(c, s, scale, zp);
  else
    quantize_into<int8_t>(c, s, scale, zp);
}

template <typename T>
void dequantize_from(KernelContext& c, const AxisSplit& s, const std::vector<float>& scale,
                     const std::vector<int32_t>& zp) {
  const T* x = c.input(0).data<T>();
  float* y = c.output(0).data<float>();
  parallel_for(s.outer * s.channels, std::max<int64_t>(1, 16384 / std::max<int64_t>(s.inner, 1)),
               [&](int64_t b, int64_t e) {
                 for (int64_t oc = b; oc < e; ++oc) {
                   const int64_t ch = oc % s.channels;
                   const int64_t base = oc * s.inner;
                   for (int64_t i = 0; i < s.inner; ++i)
                     y[base + i] = static_cast<float>(static_cast<int64_t>(x[base + i]) - zp[ch]) * scale[ch];
                 }
               });
}

void dequantize_linear(KernelContext& c) {
  const AxisSplit s = split_for(c);
  const std::vector<float> scale = float_param(c, 1, s.channels, "x_scale");
  const std::vector<int32_t> zp = int_param(c, 2, s.channels, "x_zero_point");
  switch (c.input(0).dtype()) {
    case DType::U8:
      return dequantize_from<uint8_t>(c, s, scale, zp);
    case DType::I8:
      return dequantize_from<int8_t>(c, s, scale, zp);
    default:
      for (int32_t z : zp)
        if (z != 0) c.fail("x_zero_point must be 0 for int32 input, got " + std::to_string(z));
      return dequantize_from<int32_t>(c, s, scale, zp);
  }
}

// uint8 quantization over [min(0, min x), max(0, max x)], with the ONNX
// reference's float32 steps: scale = f32((max − min) / 255), zero point =
// saturate(rint((0 − min) / scale)), y = saturate(rint(x / scale) + zp).
void dynamic_quantize_linear(KernelContext& c) {
  const Tensor& x = c.input(0);
  const float* xs = x.data<float>();
  float lo = 0.f, hi = 0.f;
  for (int64_t i = 0; i < x.numel(); ++i) {
    if (!std::isfinite(xs[i])) c.fail("input contains a non-finite value at element " + std::to_string(i));
    lo = std::min(lo, xs[i]);
    hi = std::max(hi, xs[i]);
  }
  const float scale = static_cast<float>(static_cast<double>(hi - lo) / 255.0);
  int32_t zp = 0;
  if (scale > 0) zp = saturate_cast<uint8_t>(round_half_to_even((0.f - lo) / scale));
  uint8_t* y = c.output(0).data<uint8_t>();
  for (int64_t i = 0; i < x.numel(); ++i) y[i] = scale > 0 ? quantize_half_even<uint8_t>(xs[i], scale, zp) : 0;
  c.output(1).data<float>()[0] = scale;
  c.output(2).data<uint8_t>()[0] = static_cast<uint8_t>(zp);
}

}  // namespace

ETCH_REGISTER_KERNEL("DynamicQuantizeLinear", "", DType::F32, dynamic_quantize_linear);
ETCH_REGISTER_KERNEL("QuantizeLinear", "", DType::F32, quantize_linear);
ETCH_REGISTER_KERNEL("DequantizeLinear", "", DType::U8, dequantize_linear);
ETCH_REGISTER_KERNEL("DequantizeLinear", "", DType::I8, dequantize_linear);
ETCH_REGISTER_KERNEL("DequantizeLinear", "", DType::I32, dequantize_linear);
// Every output element is written.
ETCH_KERNEL_OVERWRITES_OUTPUTS("QuantizeLinear", "", DType::F32);
ETCH_KERNEL_OVERWRITES_OUTPUTS("DequantizeLinear", "", DType::U8);
ETCH_KERNEL_OVERWRITES_OUTPUTS("DequantizeLinear", "", DType::I8);
ETCH_KERNEL_OVERWRITES_OUTPUTS("DequantizeLinear", "", DType::I32);

}  // namespace etch::runtime
