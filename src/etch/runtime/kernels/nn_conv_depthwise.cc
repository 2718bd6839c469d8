#include "etch/runtime/kernels/nn_conv_depthwise.h"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "etch/core/thread_pool.h"
#include "etch/runtime/kernels/simd_f32.h"

namespace etch::runtime {
namespace {

// One tap over output columns [lo, hi): acc[ow] = fma(x[ow * s + off], wv, acc[ow]).
using TapFn = void (*)(float* acc, const float* xrow, int64_t lo, int64_t hi, int64_t s, int64_t off, float wv);
using RowFn = void (*)(const float* p, int64_t ldp, int64_t ow_n, const Geom3& g, const float* wc,
                       const DepthwiseEpilogue& e, float bv, float* yrow);

void tap_scalar(float* acc, const float* xrow, int64_t lo, int64_t hi, int64_t s, int64_t off, float wv) {
  for (int64_t ow = lo; ow < hi; ++ow) acc[ow] = std::fma(xrow[ow * s + off], wv, acc[ow]);
}

#ifdef ETCH_X86_SIMD
#pragma GCC push_options
#pragma GCC target("avx512f")
namespace avx512 {
using namespace simd_avx512;
constexpr int kRowVecs = 4;  // 64 columns
#include "etch/runtime/kernels/nn_conv_depthwise_body.inc"
}  // namespace avx512
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {
using namespace simd_avx2;
constexpr int kRowVecs = 8;  // 64 columns in 8 of the 16 registers
#include "etch/runtime/kernels/nn_conv_depthwise_body.inc"
}  // namespace avx2
#pragma GCC pop_options
#endif

TapFn pick_tap() {
#ifdef ETCH_X86_SIMD
  if (cpu_has_avx512()) return avx512::tap;
  if (cpu_has_avx2_fma()) return avx2::tap;
#endif
  return tap_scalar;
}

// The row kernel with accumulators in registers for stride s along rows (1
// or 2), or null.
RowFn pick_row(int64_t s) {
#ifdef ETCH_X86_SIMD
  if (s == 1 && cpu_has_avx512()) return avx512::row<1>;
  if (s == 2 && cpu_has_avx512()) return avx512::row<2>;
  if (s == 1 && cpu_has_avx2_fma()) return avx2::row<1>;
  if (s == 2 && cpu_has_avx2_fma()) return avx2::row<2>;
#endif
  (void)s;
  return nullptr;
}

// Output columns whose input column ow * s + off lies in [0, w).
void valid_range(int64_t out_w, int64_t in_w, int64_t s, int64_t off, int64_t& lo, int64_t& hi) {
  lo = off >= 0 ? 0 : (-off + s - 1) / s;
  hi = in_w - 1 - off < 0 ? 0 : std::min(out_w, (in_w - 1 - off) / s + 1);
  lo = std::min(lo, hi);
}

}  // namespace

bool depthwise_conv2d_supported(const Geom3& g) { return g.in[0] == 1 && g.out[0] == 1 && g.k[0] == 1; }

void depthwise_conv2d(const Geom3& g, int64_t batch, int64_t channels, const float* x, const float* w,
                      const DepthwiseEpilogue& e, float* y) {
  static const TapFn tap = pick_tap();
  const int64_t ih_n = g.in[1], iw_n = g.in[2], oh_n = g.out[1], ow_n = g.out[2];
  const int64_t kh_n = g.k[1], kw_n = g.k[2];
  const int64_t sh = g.s[1], sw = g.s[2], dh = g.d[1], dw = g.d[2], ph = g.p[1], pw = g.p[2];
  // Items are (plane, block of output rows); any split gives the same bits
  // since every output element is computed by one thread from scratch.
  const int64_t row_work = std::max<int64_t>(1, ow_n * kh_n * kw_n);
  const int64_t rows_per_item = std::clamp<int64_t>((int64_t{1} << 15) / row_work, 1, oh_n);
  const int64_t blocks = (oh_n + rows_per_item - 1) / rows_per_item;
  static const RowFn row_s1 = pick_row(1), row_s2 = pick_row(2);
  const RowFn row_fn = sw == 1 ? row_s1 : (sw == 2 ? row_s2 : nullptr);
  std::vector<int64_t> lo(kw_n), hi(kw_n);
  for (int64_t kw = 0; kw < kw_n; ++kw) valid_range(ow_n, iw_n, sw, kw * dw - pw, lo[kw], hi[kw]);
  parallel_for(batch * channels * blocks, 1, [&](int64_t i0, int64_t i1) {
    thread_local std::vector<float> acc_buf;
    if (acc_buf.size() < static_cast<size_t>(ow_n)) acc_buf.resize(static_cast<size_t>(ow_n));
    float* acc = acc_buf.data();
    for (int64_t it = i0; it < i1; ++it) {
      const int64_t plane = it / blocks, blk = it % blocks, c = plane % channels;
      const float* xp = x + plane * ih_n * iw_n;
      const float* wc = w + c * kh_n * kw_n;
      const float bv = e.bias ? e.bias[c] : 0.0f;
      const int64_t r0 = blk * rows_per_item, r1 = std::min(oh_n, r0 + rows_per_item);
      if (row_fn) {
        // Loads run up to 15 outputs past the last one (their taps sw times
        // as far), and the 3×3 kernel reads up to 32 floats past its last
        // taps: ldp and the 32 floats after the last row cover them. Rows
        // start on 64-byte boundaries (up to 15 floats skipped to align), so
        // a row's whole vectors do not cross cache lines.
        const int64_t ldp = (sw * ((ow_n + 15) / 16 * 16) + (kw_n - 1) * dw + 15) / 16 * 16;
        const int64_t rows = (r1 - r0 - 1) * sh + (kh_n - 1) * dh + 1;
        thread_local std::vector<float> pad_buf;
        const size_t need = static_cast<size_t>(rows * ldp + 48);
        if (pad_buf.size() < need) pad_buf.resize(need);
        float* pad = pad_buf.data() + (16 - reinterpret_cast<uintptr_t>(pad_buf.data()) / sizeof(float) % 16) % 16;
        copy_rows_padded(xp, ih_n, iw_n, r0 * sh - ph, rows, pw, ldp, pad);
        for (int64_t oh = r0; oh < r1; ++oh)
          row_fn(pad + (oh - r0) * sh * ldp, ldp, ow_n, g, wc, e, bv, y + (plane * oh_n + oh) * ow_n);
        continue;
      }
      for (int64_t oh = r0; oh < r1; ++oh) {
        float* yrow = y + (plane * oh_n + oh) * ow_n;
        std::fill(acc, acc + ow_n, 0.0f);
        for (int64_t kh = 0; kh < kh_n; ++kh) {
          const int64_t ih = oh * sh - ph + kh * dh;
          if (ih < 0 || ih >= ih_n) continue;
          const float* xrow = xp + ih * iw_n;
          for (int64_t kw = 0; kw < kw_n; ++kw) tap(acc, xrow, lo[kw], hi[kw], sw, kw * dw - pw, wc[kh * kw_n + kw]);
        }
        // The bias and the clamp as the generic Conv path applies them (the
        // same expressions as the Relu and Clip kernels, NaN included).
        if (!e.clamp && !e.bias) {
          std::copy(acc, acc + ow_n, yrow);
        } else if (!e.clamp) {
          for (int64_t j = 0; j < ow_n; ++j) yrow[j] = acc[j] + bv;
        } else if (e.relu) {
          for (int64_t j = 0; j < ow_n; ++j) {
            const float v = acc[j] + bv;
            yrow[j] = v > 0.0f ? v : 0.0f;
          }
        } else {
          for (int64_t j = 0; j < ow_n; ++j) {
            const float v = acc[j] + bv;
            yrow[j] = v < e.lo ? e.lo : (v > e.hi ? e.hi : v);
          }
        }
      }
    }
  });
}

}  // namespace etch::runtime
