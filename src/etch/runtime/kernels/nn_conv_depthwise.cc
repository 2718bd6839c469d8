#include "etch/runtime/kernels/nn_conv_depthwise.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "etch/core/thread_pool.h"

namespace etch::runtime {
namespace {

// One tap over output columns [lo, hi): acc[ow] = fma(x[ow * s + off], wv, acc[ow]).
using TapFn = void (*)(float* acc, const float* xrow, int64_t lo, int64_t hi, int64_t s, int64_t off, float wv);

void tap_scalar(float* acc, const float* xrow, int64_t lo, int64_t hi, int64_t s, int64_t off, float wv) {
  for (int64_t ow = lo; ow < hi; ++ow) acc[ow] = std::fma(xrow[ow * s + off], wv, acc[ow]);
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx512f"))) void tap_avx512(float* acc, const float* xrow, int64_t lo, int64_t hi, int64_t s,
                                                   int64_t off, float wv) {
  const __m512 wv16 = _mm512_set1_ps(wv);
  int64_t ow = lo;
  if (s == 1) {
    for (; ow + 16 <= hi; ow += 16)
      _mm512_storeu_ps(acc + ow, _mm512_fmadd_ps(_mm512_loadu_ps(xrow + ow + off), wv16, _mm512_loadu_ps(acc + ow)));
    if (ow < hi) {
      const __mmask16 m = static_cast<__mmask16>((1u << (hi - ow)) - 1);
      const __m512 xv = _mm512_maskz_loadu_ps(m, xrow + ow + off);
      _mm512_mask_storeu_ps(acc + ow, m, _mm512_fmadd_ps(xv, wv16, _mm512_maskz_loadu_ps(m, acc + ow)));
    }
    return;
  }
  if (s == 2) {
    // 32 consecutive inputs, the even ones are the 16 taps of 16 outputs.
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    for (; ow + 16 <= hi; ow += 16) {
      const float* p = xrow + 2 * ow + off;
      // The last tap read is p[30]; p[31] may lie past the row (and the tensor), so mask it.
      const __m512 a = _mm512_loadu_ps(p);
      const __m512 b = _mm512_maskz_loadu_ps(0x7fff, p + 16);
      const __m512 xv = _mm512_permutex2var_ps(a, even, b);
      _mm512_storeu_ps(acc + ow, _mm512_fmadd_ps(xv, wv16, _mm512_loadu_ps(acc + ow)));
    }
  }
  tap_scalar(acc, xrow, ow, hi, s, off, wv);
}

// Output columns [lo, hi) that are valid for a tap, as a lane mask of the 16
// columns starting at c0.
inline uint32_t lane_mask(int64_t c0, int64_t lo, int64_t hi) {
  const int64_t a = std::clamp<int64_t>(lo - c0, 0, 16), b = std::clamp<int64_t>(hi - c0, 0, 16);
  return b <= a ? 0u : ((1u << b) - 1u) & ~((1u << a) - 1u);
}

// Stride-1 output columns [c0, c0 + 16 * NV) of one row with the accumulators
// in registers (NV is a constant so the loops unroll and nothing goes through
// memory): every tap is applied before the epilogue writes the columns once.
// `p` is the row's first tap row in a zero-padded copy of the input (row
// stride ldp), so taps outside the image are fma(0, w, acc), exactly what the
// im2col + GEMM path computes.
template <int NV>
__attribute__((target("avx512f"), always_inline)) inline void cols_s1_avx512(const float* p, int64_t ldp, int64_t ow_n,
                                                                             int64_t c0, const Geom3& g,
                                                                             const float* wc,
                                                                             const DepthwiseEpilogue& e, float bv,
                                                                             float* yrow) {
  const int64_t kh_n = g.k[1], kw_n = g.k[2], dh = g.d[1], dw = g.d[2];
  __m512 acc[NV];
#pragma GCC unroll 4
  for (int u = 0; u < NV; ++u) acc[u] = _mm512_setzero_ps();
  for (int64_t kh = 0; kh < kh_n; ++kh) {
    const float* xrow = p + kh * dh * ldp + c0;
    const float* wrow = wc + kh * kw_n;
    for (int64_t kw = 0; kw < kw_n; ++kw) {
      const __m512 wv = _mm512_set1_ps(wrow[kw]);
#pragma GCC unroll 4
      for (int u = 0; u < NV; ++u) acc[u] = _mm512_fmadd_ps(_mm512_loadu_ps(xrow + kw * dw + 16 * u), wv, acc[u]);
    }
  }
  const __m512 zero = _mm512_setzero_ps(), bias16 = _mm512_set1_ps(bv);
  const __m512 lo16 = _mm512_set1_ps(e.lo), hi16 = _mm512_set1_ps(e.hi);
#pragma GCC unroll 4
  for (int u = 0; u < NV; ++u) {
    const int64_t cu = c0 + 16 * u;
    const __mmask16 store = static_cast<__mmask16>(lane_mask(cu, 0, ow_n));
    __m512 v = acc[u];
    if (e.bias || e.clamp) v = _mm512_add_ps(v, bias16);
    if (e.clamp && e.relu) {
      v = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(v, zero, _CMP_GT_OQ), v);  // v > 0 ? v : 0, as the Relu kernel
    } else if (e.clamp) {
      const __mmask16 below = _mm512_cmp_ps_mask(v, lo16, _CMP_LT_OQ), above = _mm512_cmp_ps_mask(v, hi16, _CMP_GT_OQ);
      v = _mm512_mask_blend_ps(above, v, hi16);
      v = _mm512_mask_blend_ps(below, v, lo16);
    }
    _mm512_mask_storeu_ps(yrow + cu, store, v);
  }
}

__attribute__((target("avx512f"))) void row_s1_avx512(const float* p, int64_t ldp, int64_t ow_n, const Geom3& g,
                                                      const float* wc, const DepthwiseEpilogue& e, float bv,
                                                      float* yrow) {
  int64_t c0 = 0;
  for (; c0 + 64 <= ow_n; c0 += 64) cols_s1_avx512<4>(p, ldp, ow_n, c0, g, wc, e, bv, yrow);
  switch ((ow_n - c0 + 15) / 16) {
    case 1:
      cols_s1_avx512<1>(p, ldp, ow_n, c0, g, wc, e, bv, yrow);
      break;
    case 2:
      cols_s1_avx512<2>(p, ldp, ow_n, c0, g, wc, e, bv, yrow);
      break;
    case 3:
      cols_s1_avx512<3>(p, ldp, ow_n, c0, g, wc, e, bv, yrow);
      break;
    default:
      break;
  }
}

// Copies input rows [ih0, ih0 + rows) of plane xp into buf with pw zero columns
// on the left and zeros everywhere outside the image (row stride ldp).
void pad_rows(const float* xp, int64_t ih_n, int64_t iw_n, int64_t ih0, int64_t rows, int64_t pw, int64_t ldp,
              float* buf) {
  std::fill(buf, buf + rows * ldp, 0.0f);
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t ih = ih0 + r;
    if (ih >= 0 && ih < ih_n) std::copy(xp + ih * iw_n, xp + (ih + 1) * iw_n, buf + r * ldp + pw);
  }
}
#endif

TapFn pick_tap() {
#if defined(__x86_64__) && defined(__GNUC__)
  if (__builtin_cpu_supports("avx512f")) return tap_avx512;
#endif
  return tap_scalar;
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
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool has_avx512 = __builtin_cpu_supports("avx512f");
  const bool rows_in_registers = has_avx512 && sh == 1 && sw == 1;
#endif
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
#if defined(__x86_64__) && defined(__GNUC__)
      if (rows_in_registers) {
        // Loads run up to 15 columns past the last output: ldp covers them.
        const int64_t ldp = (ow_n + 15) / 16 * 16 + (kw_n - 1) * dw;
        const int64_t rows = r1 - r0 + (kh_n - 1) * dh;
        thread_local std::vector<float> pad_buf;
        if (pad_buf.size() < static_cast<size_t>(rows * ldp)) pad_buf.resize(static_cast<size_t>(rows * ldp));
        pad_rows(xp, ih_n, iw_n, r0 - ph, rows, pw, ldp, pad_buf.data());
        for (int64_t oh = r0; oh < r1; ++oh)
          row_s1_avx512(pad_buf.data() + (oh - r0) * ldp, ldp, ow_n, g, wc, e, bv, y + (plane * oh_n + oh) * ow_n);
        continue;
      }
#endif
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
