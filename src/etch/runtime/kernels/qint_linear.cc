// ai.etch QConv and QGemm: exact int32 sums of (x − x_zero_point)·w plus the
// int32 bias, requantized per output channel (docs/quantization.md). These
// kernels define the arithmetic that the NPU simulator reproduces bit for bit.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>

#include "etch/core/cpu_features.h"
#include "etch/core/int4.h"
#include "etch/core/thread_pool.h"
#include "etch/ir/ops/qint_ops.h"
#include "etch/ir/ops/quant_conv_geometry.h"
#include "etch/runtime/integer_fast_paths.h"
#include "etch/runtime/kernel_overwrites.h"
#include "etch/runtime/kernels/qint_common.h"
#include "etch/runtime/kernels/quant_conv_core.h"
#include "etch/runtime/kernels/simd_f32.h"
#include "etch/runtime/requantize_row.h"

namespace etch::runtime {
namespace {

std::vector<int32_t> weights_as_int32(const Tensor& w) {
  const Tensor w8 = unpack_int4(w);
  const int8_t* p = w8.data<int8_t>();
  return std::vector<int32_t>(p, p + w8.numel());
}

std::vector<int32_t> bias_or_zero(const KernelContext& c, size_t i, int64_t channels) {
  if (!c.has_input(i)) return std::vector<int32_t>(static_cast<size_t>(channels), 0);
  const int32_t* b = c.input(i).data<int32_t>();
  return std::vector<int32_t>(b, b + channels);
}

// Weights and bias as the conv core takes them, and what its paths derive
// from the weights: made once for a layer whose weights and bias are graph
// constants, on every call otherwise.
struct QConvWeights {
  std::vector<int32_t> w, bias;
  IntConvWeightCache derived;
};

QConvWeights qconv_weights(const KernelContext& c, int64_t out_channels) {
  return QConvWeights{weights_as_int32(c.input(1)), bias_or_zero(c, 2, out_channels), {}};
}

struct QConvPlan {
  ir::ConvGeometry g;
  ir::QConvParams p;
  std::shared_ptr<QConvWeights> constant;  // null unless weights and bias are constants
};

void qconv(KernelContext& c) {
  const QConvPlan& plan = c.plan<QConvPlan>([&] {
    const ir::ConvGeometry g = ir::resolve_conv_geometry(c.node(), c.input(0).shape(), c.input(1).shape());
    std::shared_ptr<QConvWeights> constant;
    if (c.input_is_constant(1) && (!c.has_input(2) || c.input_is_constant(2)))
      constant = std::make_shared<QConvWeights>(qconv_weights(c, g.out_channels));
    return QConvPlan{g, ir::qconv_params(c.node(), g.out_channels), std::move(constant)};
  });
  const ir::ConvGeometry& g = plan.g;
  const ir::QConvParams& p = plan.p;
  std::optional<QConvWeights> this_call;
  QConvWeights& weights = plan.constant ? *plan.constant : this_call.emplace(qconv_weights(c, g.out_channels));
  const std::vector<int32_t>& w = weights.w;
  const std::vector<int32_t>& bias = weights.bias;
  int8_t* y = c.output(0).data<int8_t>();
  const int64_t plane = g.out[0] * g.out[1] * g.out[2];
  const IntConvEpilogue store = [&](int64_t n, int64_t m, int64_t p0, int64_t count, const int32_t* acc) {
    int8_t* dst = y + (n * g.out_channels + m) * plane + p0;
    requantize_row_to_int8(acc, count, bias[m], qint::multiplier(p.channel(m)), p.y.zero_point, p.y.act_min,
                           p.y.act_max, dst);
  };
  integer_conv(g, c.input(0).data<int8_t>(), p.x_zero_point, w, store, &weights.derived);
}

// Σ x[i]·w[i] modulo 2^32 over i < k (unsigned: wrap-around is defined).
uint32_t dot_scalar(const int16_t* x, const int8_t* w, int64_t k) {
  uint32_t sum = 0;
  for (int64_t i = 0; i < k; ++i) sum += static_cast<uint32_t>(x[i] * w[i]);
  return sum;
}

#ifdef ETCH_X86_SIMD
#pragma GCC push_options
#pragma GCC target("avx2")
// The same sixteen at a time: vpmaddwd's pair sums are exact (|x| <= 255,
// |w| <= 128) and the int32 adds wrap like the scalar ones, in any order.
uint32_t dot_avx2(const int16_t* x, const int8_t* w, int64_t k) {
  __m256i acc = _mm256_setzero_si256();
  int64_t i = 0;
  for (; i + 16 <= k; i += 16) {
    const __m256i wv = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + i)));
    const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(xv, wv));
  }
  alignas(32) uint32_t lanes[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), acc);
  uint32_t sum = 0;
  for (uint32_t v : lanes) sum += v;
  return sum + dot_scalar(x + i, w + i, k - i);
}
#pragma GCC pop_options
#endif

uint32_t dot(const int16_t* x, const int8_t* w, int64_t k) {
#ifdef ETCH_X86_SIMD
  if (integer_fast_paths() && cpu_has_avx2_fma()) return dot_avx2(x, w, k);
#endif
  return dot_scalar(x, w, k);
}

void qgemm(KernelContext& c) {
  const Tensor& x = c.input(0);
  const int64_t rows = x.dim(0), k_dim = x.dim(1), channels = c.input(1).dim(0);
  const Tensor w8 = unpack_int4(c.input(1));
  const int8_t* w = w8.data<int8_t>();
  const std::vector<int32_t> bias = bias_or_zero(c, 2, channels);
  const ir::QGemmParams& p = c.plan<ir::QGemmParams>([&] { return ir::qconv_params(c.node(), channels); });
  const int8_t* xp = x.data<int8_t>();
  int8_t* y = c.output(0).data<int8_t>();
  // Rows of at least ~256K multiply-adds per task.
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 18) / std::max<int64_t>(1, k_dim * channels));
  parallel_for(rows, grain, [&](int64_t r0, int64_t r1) {
    std::vector<int16_t> xc(static_cast<size_t>(k_dim));
    for (int64_t r = r0; r < r1; ++r) {
      for (int64_t k = 0; k < k_dim; ++k) xc[k] = static_cast<int16_t>(xp[r * k_dim + k] - p.x_zero_point);
      for (int64_t m = 0; m < channels; ++m) {
        const uint32_t acc = static_cast<uint32_t>(bias[m]) + dot(xc.data(), w + m * k_dim, k_dim);
        y[r * channels + m] = qint::requantize_output(static_cast<int32_t>(acc), p.channel(m), p.y);
      }
    }
  });
}

}  // namespace

ETCH_REGISTER_KERNEL("QConv", ir::kEtchDomain, DType::I8, qconv);
ETCH_REGISTER_KERNEL("QGemm", ir::kEtchDomain, DType::I8, qgemm);
// Every output element is written.
ETCH_KERNEL_OVERWRITES_OUTPUTS("QConv", ir::kEtchDomain, DType::I8);
ETCH_KERNEL_OVERWRITES_OUTPUTS("QGemm", ir::kEtchDomain, DType::I8);

}  // namespace etch::runtime
