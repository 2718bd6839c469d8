#include "etch/runtime/kernels/nn_conv_pointwise.h"

#include <immintrin.h>

#include <algorithm>

#include "etch/core/thread_pool.h"

namespace etch::runtime {
namespace {

#if defined(__x86_64__) && defined(__GNUC__)
// Rows [m0, m0 + MB) × columns [p0, p0 + 16 * NV) of one image; the last vector
// is masked by `last` (partial column tails).
template <int MB, int NV>
__attribute__((target("avx512f"), always_inline)) inline void tile(int64_t c, int64_t p, const float* x, const float* w,
                                                                   int64_t m0, int64_t p0, __mmask16 last,
                                                                   const PointwiseEpilogue& e, const float* z,
                                                                   float* y) {
  __m512 acc[MB][NV];
#pragma GCC unroll 4
  for (int i = 0; i < MB; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_setzero_ps();
  for (int64_t k = 0; k < c; ++k) {
    const float* xk = x + k * p + p0;
    __m512 xv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v)
      xv[v] = v == NV - 1 ? _mm512_maskz_loadu_ps(last, xk + 16 * v) : _mm512_loadu_ps(xk + 16 * v);
#pragma GCC unroll 4
    for (int i = 0; i < MB; ++i) {
      const __m512 wv = _mm512_set1_ps(w[(m0 + i) * c + k]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(xv[v], wv, acc[i][v]);
    }
  }
  const __m512 zero = _mm512_setzero_ps(), lo = _mm512_set1_ps(e.lo), hi = _mm512_set1_ps(e.hi);
#pragma GCC unroll 4
  for (int i = 0; i < MB; ++i) {
    const __m512 bv = _mm512_set1_ps(e.bias ? e.bias[m0 + i] : 0.0f);
    float* yr = y + (m0 + i) * p + p0;
    const float* zr = z ? z + (m0 + i) * p + p0 : nullptr;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      const __mmask16 mask = v == NV - 1 ? last : static_cast<__mmask16>(0xffff);
      __m512 r = acc[i][v];
      // The generic path's epilogue: bias (+0 only where it adds the bias
      // unconditionally), the summand, then the Relu / Clip expression.
      if (zr) {
        if (e.bias) r = _mm512_add_ps(r, bv);
        r = _mm512_add_ps(r, _mm512_maskz_loadu_ps(mask, zr + 16 * v));
      } else if (e.bias || e.clamp) {
        r = _mm512_add_ps(r, bv);
      }
      if (e.clamp && e.relu) {
        r = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(r, zero, _CMP_GT_OQ), r);
      } else if (e.clamp) {
        const __mmask16 below = _mm512_cmp_ps_mask(r, lo, _CMP_LT_OQ), above = _mm512_cmp_ps_mask(r, hi, _CMP_GT_OQ);
        r = _mm512_mask_blend_ps(above, r, hi);
        r = _mm512_mask_blend_ps(below, r, lo);
      }
      _mm512_mask_storeu_ps(yr + 16 * v, mask, r);
    }
  }
}

template <int MB>
__attribute__((target("avx512f"))) void rows(int64_t c, int64_t p, const float* x, const float* w, int64_t m0,
                                             int64_t q0, int64_t q1, const PointwiseEpilogue& e, const float* z,
                                             float* y) {
  int64_t p0 = q0;
  for (; p0 + 64 <= q1; p0 += 64) tile<MB, 4>(c, p, x, w, m0, p0, 0xffff, e, z, y);
  const int64_t rest = q1 - p0;
  if (rest <= 0) return;
  const int nv = static_cast<int>((rest + 15) / 16);
  const int64_t tail = rest - 16 * (nv - 1);
  const __mmask16 last = static_cast<__mmask16>(tail >= 16 ? 0xffff : (1u << tail) - 1u);
  switch (nv) {
    case 1:
      tile<MB, 1>(c, p, x, w, m0, p0, last, e, z, y);
      break;
    case 2:
      tile<MB, 2>(c, p, x, w, m0, p0, last, e, z, y);
      break;
    case 3:
      tile<MB, 3>(c, p, x, w, m0, p0, last, e, z, y);
      break;
    default:
      tile<MB, 4>(c, p, x, w, m0, p0, last, e, z, y);
      break;
  }
}
#endif

}  // namespace

bool pointwise_conv_available() {
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool ok = __builtin_cpu_supports("avx512f");
  return ok;
#else
  return false;
#endif
}

void pointwise_conv(int64_t batch, int64_t m, int64_t c, int64_t p, const float* x, const float* w,
                    const PointwiseEpilogue& e, float* y) {
#if defined(__x86_64__) && defined(__GNUC__)
  // Column blocks keep X's block ([c × block]) in cache across all output rows;
  // every output element is computed by one thread, so the split changes no bits.
  const int64_t block = std::clamp<int64_t>((int64_t{1} << 13) / std::max<int64_t>(1, c) / 64 * 64, 64, 1024);
  const int64_t blocks = (p + block - 1) / block;
  parallel_for(batch * blocks, 1, [&](int64_t i0, int64_t i1) {
    for (int64_t it = i0; it < i1; ++it) {
      const int64_t n = it / blocks, q0 = it % blocks * block, q1 = std::min(p, q0 + block);
      const float* xn = x + n * c * p;
      float* yn = y + n * m * p;
      const float* zn = e.z ? e.z + n * m * p : nullptr;
      int64_t m0 = 0;
      for (; m0 + 4 <= m; m0 += 4) rows<4>(c, p, xn, w, m0, q0, q1, e, zn, yn);
      switch (m - m0) {
        case 1:
          rows<1>(c, p, xn, w, m0, q0, q1, e, zn, yn);
          break;
        case 2:
          rows<2>(c, p, xn, w, m0, q0, q1, e, zn, yn);
          break;
        case 3:
          rows<3>(c, p, xn, w, m0, q0, q1, e, zn, yn);
          break;
        default:
          break;
      }
    }
  });
#else
  (void)batch, (void)m, (void)c, (void)p, (void)x, (void)w, (void)e, (void)y;
#endif
}

}  // namespace etch::runtime
