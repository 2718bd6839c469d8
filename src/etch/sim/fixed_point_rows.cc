#include "etch/sim/fixed_point_rows.h"

#include <algorithm>

#include "etch/core/cpu_features.h"
#include "etch/core/fixed_point_avx512.h"
#include "etch/sim/fixed_point.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace etch::sim {
namespace {

inline int8_t clamp_add(int32_t v, int32_t zp, int32_t lo, int32_t hi) {
  return static_cast<int8_t>(std::clamp<int64_t>(static_cast<int64_t>(v) + zp, lo, hi));
}

void requant_portable(const int32_t* acc, int32_t bias, int32_t mult, int shift, int32_t zp, int32_t lo, int32_t hi,
                      int8_t* out, int64_t p0, int64_t n) {
  for (int64_t p = p0; p < n; ++p) out[p] = clamp_add(mbqm_right(wrapping_add(acc[p], bias), mult, shift), zp, lo, hi);
}

void add_portable(const AddRow& r, const int8_t* a, const int8_t* b, int8_t* y, int64_t i0, int64_t n) {
  for (int64_t i = i0; i < n; ++i) {
    const int32_t sa = mbqm_right((a[i] - r.azp) * (1 << r.ls), r.am, r.as);
    const int32_t sb = mbqm_right((b[i] - r.bzp) * (1 << r.ls), r.bm, r.bs);
    y[i] = clamp_add(mbqm_right(wrapping_add(sa, sb), r.ym, r.ys), r.yzp, r.lo, r.hi);
  }
}

#if defined(__x86_64__)
#define ETCH_AVX2 __attribute__((target("avx2")))

// (p + nudge) / 2^31 towards zero per 64-bit lane, p a product of two int32
// lanes; the quotient fits 32 bits, so a logical 64-bit shift gives its low
// half whatever the sign.
ETCH_AVX2 inline __m256i nudged_high_half(__m256i p) {
  const __m256i zero = _mm256_setzero_si256();
  const __m256i pos_nudge = _mm256_set1_epi64x(int64_t{1} << 30),
                neg_nudge = _mm256_set1_epi64x(1 - (int64_t{1} << 30));
  const __m256i toward_zero = _mm256_set1_epi64x((int64_t{1} << 31) - 1);
  const __m256i x = _mm256_add_epi64(p, _mm256_blendv_epi8(pos_nudge, neg_nudge, _mm256_cmpgt_epi64(zero, p)));
  return _mm256_srli_epi64(_mm256_add_epi64(x, _mm256_and_si256(_mm256_cmpgt_epi64(zero, x), toward_zero)), 31);
}

// srdhm(a, b) per lane for b >= 0 (a multiplier: never the a == b == INT32_MIN
// case): the even and the odd lanes' 64-bit products, then merged.
ETCH_AVX2 inline __m256i srdhm8(__m256i a, __m256i b) {
  const __m256i even = nudged_high_half(_mm256_mul_epi32(a, b));
  const __m256i odd = nudged_high_half(_mm256_mul_epi32(_mm256_srli_epi64(a, 32), _mm256_srli_epi64(b, 32)));
  return _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}

// rounding_divide_by_pot(x, e) per lane, 0 <= e <= 31.
ETCH_AVX2 inline __m256i rdivpot8(__m256i x, int e) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << e) - 1);
  const __m256i remainder = _mm256_and_si256(x, _mm256_set1_epi32(mask));
  // threshold = mask / 2, plus one for a negative x (srai gives -1 there).
  const __m256i threshold = _mm256_sub_epi32(_mm256_set1_epi32(mask >> 1), _mm256_srai_epi32(x, 31));
  const __m256i up = _mm256_cmpgt_epi32(remainder, threshold);  // -1 where rounding up
  return _mm256_sub_epi32(_mm256_sra_epi32(x, _mm_cvtsi32_si128(e)), up);
}

ETCH_AVX2 inline __m256i mbqm_right8(__m256i x, __m256i mult, int shift) { return rdivpot8(srdhm8(x, mult), -shift); }

// clamp(v + zp, lo, hi) without overflow: v clamped to [lo - zp, hi - zp]
// first (zp, lo, hi are int8-sized), then narrowed to eight int8 stores.
ETCH_AVX2 inline void store8(int8_t* out, __m256i v, int32_t zp, int32_t lo, int32_t hi) {
  v = _mm256_min_epi32(_mm256_max_epi32(v, _mm256_set1_epi32(lo - zp)), _mm256_set1_epi32(hi - zp));
  v = _mm256_add_epi32(v, _mm256_set1_epi32(zp));
  const __m128i w16 = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(out), _mm_packs_epi16(w16, w16));
}

ETCH_AVX2 inline __m256i load8_int8(const int8_t* p) {
  return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
}

ETCH_AVX2 int64_t requant_avx2(const int32_t* acc, int32_t bias, int32_t mult, int shift, int32_t zp, int32_t lo,
                               int32_t hi, int8_t* out, int64_t n) {
  const __m256i vb = _mm256_set1_epi32(bias), vm = _mm256_set1_epi32(mult);
  int64_t p = 0;
  for (; p + 8 <= n; p += 8) {
    const __m256i x = _mm256_add_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + p)), vb);
    store8(out + p, mbqm_right8(x, vm, shift), zp, lo, hi);
  }
  return p;
}

ETCH_AVX2 int64_t add_avx2(const AddRow& r, const int8_t* a, const int8_t* b, int8_t* y, int64_t n) {
  const __m256i azp = _mm256_set1_epi32(r.azp), bzp = _mm256_set1_epi32(r.bzp);
  const __m256i am = _mm256_set1_epi32(r.am), bm = _mm256_set1_epi32(r.bm), ym = _mm256_set1_epi32(r.ym);
  const __m128i ls = _mm_cvtsi32_si128(r.ls);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i sa = mbqm_right8(_mm256_sll_epi32(_mm256_sub_epi32(load8_int8(a + i), azp), ls), am, r.as);
    const __m256i sb = mbqm_right8(_mm256_sll_epi32(_mm256_sub_epi32(load8_int8(b + i), bzp), ls), bm, r.bs);
    store8(y + i, mbqm_right8(_mm256_add_epi32(sa, sb), ym, r.ys), r.yzp, r.lo, r.hi);
  }
  return i;
}

const bool kHasAvx2 = __builtin_cpu_supports("avx2");
#endif

}  // namespace

void requant_row_right(const int32_t* acc, int32_t bias, int32_t mult, int shift, int32_t zp, int32_t lo, int32_t hi,
                       int8_t* out, int64_t n) {
  int64_t p = 0;
#if defined(__x86_64__)
  if (mult >= 0 && shift <= 0 && shift >= -31) {
    // The runtime's row on sixteen lanes (core/fixed_point_avx512.h).
    if (cpu_has_avx512bw()) {
      requantize_row_avx512(acc, n, bias, mult, -shift, zp, lo, hi, out);
      p = n;
    } else if (kHasAvx2) {
      p = requant_avx2(acc, bias, mult, shift, zp, lo, hi, out, n);
    }
  }
#endif
  requant_portable(acc, bias, mult, shift, zp, lo, hi, out, p, n);
}

void add_row_right(const AddRow& r, const int8_t* a, const int8_t* b, int8_t* y, int64_t n) {
  int64_t i = 0;
#if defined(__x86_64__)
  const bool shifts_ok = r.as <= 0 && r.bs <= 0 && r.ys <= 0 && r.as >= -31 && r.bs >= -31 && r.ys >= -31 &&
                         r.ls >= 0 && r.ls < 32 && r.am >= 0 && r.bm >= 0 && r.ym >= 0;
  // Eight at a time reads ahead of the stores: only for an output that is an
  // operand exactly (in place) or apart from both, where that equals the
  // element-by-element order.
  auto apart_or_same = [&](const int8_t* p) { return p == y || p + n <= y || y + n <= p; };
  if (kHasAvx2 && shifts_ok && apart_or_same(a) && apart_or_same(b)) i = add_avx2(r, a, b, y, n);
#endif
  add_portable(r, a, b, y, i, n);
}

}  // namespace etch::sim
