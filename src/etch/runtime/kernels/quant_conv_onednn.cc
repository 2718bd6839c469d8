#include "etch/runtime/kernels/quant_conv_onednn.h"

#include <algorithm>
#include <memory>

#include "etch/core/thread_pool.h"
#include "etch/runtime/kernels/onednn_conv_plan.h"

namespace etch::runtime {
namespace {

int64_t reduction_length(const ir::ConvGeometry& g) { return g.in_channels * g.kernel[0] * g.kernel[1] * g.kernel[2]; }

}  // namespace

bool onednn_int8_dot_products() {
  using isa = dnnl::cpu_isa;
  static const bool has = [] {
    switch (dnnl::get_effective_cpu_isa()) {
      case isa::avx2_vnni:
      case isa::avx512_core_vnni:
      case isa::avx512_core_bf16:
      case isa::avx512_core_amx:
        return true;
      default:
        return false;
    }
  }();
  return has;
}

bool onednn_integer_conv_supported(const ir::ConvGeometry& g, const std::vector<int32_t>& w_centered) {
  if (g.group != 1 || g.in[0] != 1 || g.kernel[0] != 1 || !onednn_int8_dot_products()) return false;
  const int64_t k = reduction_length(g);
  // |x| <= 255 and |w| <= 128: no partial sum leaves int32.
  if (k * 255 * 128 >= (int64_t{1} << 31)) return false;
  // Measured on M-LSD and the fixture (bench/README.md): with K < 96 the
  // direct kernels win (M-LSD's 1x1 convolutions of K = 16-64 ran up to 2x
  // slower through oneDNN's reorders); from 0.5M multiply-adds on oneDNN
  // does (the fixture's 0.9M-MAC conv2 took a third of the time).
  const int64_t outputs = g.out[1] * g.out[2];
  if (k < 96 || g.out_channels < 16 || outputs * g.out_channels * k < (int64_t{1} << 19)) return false;
  return std::all_of(w_centered.begin(), w_centered.end(), [](int32_t v) { return v >= -128 && v <= 127; });
}

template <typename T>
bool onednn_integer_conv(const ir::ConvGeometry& g, const T* x, int32_t x_zero, const std::vector<int32_t>& w_centered,
                         const IntConvEpilogue& epilogue, IntConvWeightCache& cache) {
  using dt = dnnl::memory::data_type;
  const int64_t m = g.out_channels, c = g.in_channels, k = reduction_length(g);
  const int64_t in_h = g.in[1], in_w = g.in[2], pad_t = g.pad_begin[1], pad_l = g.pad_begin[2];
  const int64_t span_h = ir::window_extent(g, 1), span_w = ir::window_extent(g, 2);
  // Without padding the windows read the input as it is; otherwise from a
  // copy holding x_zero around it, exactly as wide as the windows read.
  const bool padded = pad_t > 0 || pad_l > 0 || span_h > in_h || span_w > in_w;
  const int64_t ph = padded ? span_h : in_h, pw = padded ? span_w : in_w;
  const onednn::Conv2d v{c,
                         m,
                         ph,
                         pw,
                         g.out[1],
                         g.out[2],
                         g.kernel[1],
                         g.kernel[2],
                         g.stride[1],
                         g.stride[2],
                         g.dilation[1],
                         g.dilation[2],
                         0,
                         0,
                         std::is_same_v<T, uint8_t> ? dt::u8 : dt::s8,
                         dt::s8,
                         dt::s32};
  const std::shared_ptr<const onednn::Plan> plan = onednn::plan_for(v);
  if (!plan) return false;
  // Buffers every element of which is written before it is read: no
  // zero-filling pass (a serial memset of the whole int32 output otherwise).
  std::unique_ptr<T[]> xp;
  if (padded) {
    xp = std::make_unique_for_overwrite<T[]>(static_cast<size_t>(g.batch * c * ph * pw));
    parallel_for(g.batch * c, std::max<int64_t>(1, 65536 / (ph * pw)), [&](int64_t p0, int64_t p1) {
      const int64_t x0 = std::max<int64_t>(0, pad_l), x1 = std::min(pw, pad_l + in_w);
      const int64_t y0 = std::max<int64_t>(0, pad_t), y1 = std::min(ph, pad_t + in_h);
      for (int64_t p = p0; p < p1; ++p) {
        T* plane = xp.get() + p * ph * pw;
        std::fill(plane, plane + ph * pw, static_cast<T>(x_zero));
        for (int64_t y = y0; y < y1; ++y) {
          const T* from = x + (p * in_h + (y - pad_t)) * in_w + (x0 - pad_l);
          std::copy(from, from + (x1 - x0), plane + y * pw + x0);
        }
      }
    });
  }
  if (cache.onednn_w8.empty()) {
    cache.onednn_w8.assign(w_centered.begin(), w_centered.end());
    cache.onednn_sums.assign(static_cast<size_t>(m), 0);
    for (int64_t oc = 0; oc < m; ++oc)
      for (int64_t i = 0; i < k; ++i) cache.onednn_sums[oc] += static_cast<uint32_t>(cache.onednn_w8[oc * k + i]);
  }
  if (cache.onednn_plan != plan) {
    cache.onednn_reordered = onednn::reorder_weights(*plan, v, cache.onednn_w8.data());
    cache.onednn_plan = plan;
  }
  // x_zero · Σw per output channel, modulo 2^32 like the sums.
  std::vector<uint32_t> zero_sum(static_cast<size_t>(m));
  for (int64_t oc = 0; oc < m; ++oc) zero_sum[oc] = cache.onednn_sums[oc] * static_cast<uint32_t>(x_zero);
  const int64_t plane = g.out[1] * g.out[2];
  const auto sums = std::make_unique_for_overwrite<int32_t[]>(static_cast<size_t>(g.batch * m * plane));
  BlockSink<int32_t> sink;
  sink.dst = [&](int64_t n, int64_t oc0) { return sums.get() + (n * m + oc0) * plane; };
  sink.finish = [&](int64_t n, int64_t oc0, int64_t oc1, int64_t p0, int64_t p1, int32_t* planes) {
    for (int64_t oc = oc0; oc < oc1; ++oc) {
      int32_t* acc = planes + (oc - oc0) * plane + p0;
      for (int64_t p = 0; p < p1 - p0; ++p) acc[p] = static_cast<int32_t>(static_cast<uint32_t>(acc[p]) - zero_sum[oc]);
      epilogue(n, oc, p0, p1 - p0, acc);
    }
  };
  onednn::run_plan<T, int8_t, int32_t>(*plan, v, g.batch, padded ? xp.get() : x, cache.onednn_w8.data(), sink,
                                       cache.onednn_reordered.data());
  return true;
}

template bool onednn_integer_conv<uint8_t>(const ir::ConvGeometry&, const uint8_t*, int32_t,
                                           const std::vector<int32_t>&, const IntConvEpilogue&, IntConvWeightCache&);
template bool onednn_integer_conv<int8_t>(const ir::ConvGeometry&, const int8_t*, int32_t, const std::vector<int32_t>&,
                                          const IntConvEpilogue&, IntConvWeightCache&);

}  // namespace etch::runtime
