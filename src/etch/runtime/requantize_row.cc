#include "etch/runtime/requantize_row.h"

#include <algorithm>

#include "etch/core/error.h"
#include "etch/runtime/kernels/simd_f32.h"

namespace etch::runtime {
namespace {

void scalar_row(const int32_t* acc, int64_t from, int64_t count, int32_t bias, QuantizedMultiplier m,
                int32_t zero_point, int32_t act_min, int32_t act_max, int8_t* y) {
  for (int64_t i = from; i < count; ++i) {
    const auto a = static_cast<int32_t>(static_cast<uint32_t>(acc[i]) + static_cast<uint32_t>(bias));
    y[i] = static_cast<int8_t>(requantize(a, m, zero_point, act_min, act_max));
  }
}

#ifdef ETCH_X86_SIMD
#pragma GCC push_options
#pragma GCC target("avx2")
// Elements [0, count rounded down to 8) for shift <= 0 and a multiplier other
// than INT32_MIN (SRDHM's one saturating case needs both operands INT32_MIN).
//
// SRDHM(a, b) = trunc((a·b + nudge) / 2^31) with nudge = 2^30 for a·b >= 0 and
// 1 − 2^30 below. For a·b < 0 the sum is negative, and truncation of a
// negative v is floor((v + 2^31 − 1) / 2^31): both cases are
// floor((a·b + 2^30) / 2^31), whose low 32 bits are bits 31..62 of the 64-bit
// sum, so a logical 64-bit shift gives them (AVX2 has no arithmetic one).
int64_t avx2_row(const int32_t* acc, int64_t count, int32_t bias, int32_t multiplier, int exponent, int32_t lo,
                 int32_t hi, int32_t zero_point, int8_t* y) {
  const __m256i b = _mm256_set1_epi32(bias), mul = _mm256_set1_epi32(multiplier);
  const __m256i half = _mm256_set1_epi64x(int64_t{1} << 30);
  const __m128i shift = _mm_cvtsi32_si128(exponent);
  const __m256i mask = _mm256_set1_epi32(static_cast<int32_t>((uint32_t{1} << exponent) - 1u));
  const __m256i half_mask = _mm256_srai_epi32(mask, 1), one = _mm256_set1_epi32(1);
  const __m256i vlo = _mm256_set1_epi32(lo), vhi = _mm256_set1_epi32(hi), zp = _mm256_set1_epi32(zero_point);
  const __m256i gather = _mm256_setr_epi32(0, 4, 0, 0, 0, 0, 0, 0);
  int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256i a = _mm256_add_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + i)), b);
    // Even lanes' 64-bit products, then odd lanes' (moved down).
    const __m256i even = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(a, mul), half), 31);
    const __m256i odd = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(a, 32), mul), half), 31);
    const __m256i high = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xaa);
    // RoundingDivideByPOT: arithmetic shift, +1 where the remainder exceeds
    // half (half + 1 for negative values).
    const __m256i rem = _mm256_and_si256(high, mask);
    const __m256i threshold = _mm256_sub_epi32(half_mask, _mm256_cmpgt_epi32(_mm256_setzero_si256(), high));
    const __m256i up = _mm256_and_si256(_mm256_cmpgt_epi32(rem, threshold), one);
    __m256i q = _mm256_add_epi32(_mm256_sra_epi32(high, shift), up);
    // clamp(q + zp, lo, hi) == clamp(q, lo − zp, hi − zp) + zp, without overflow.
    q = _mm256_add_epi32(_mm256_min_epi32(_mm256_max_epi32(q, vlo), vhi), zp);
    const __m256i w16 = _mm256_packs_epi32(q, q);
    const __m256i w8 = _mm256_packs_epi16(w16, w16);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(y + i),
                     _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(w8, gather)));
  }
  return i;
}
#pragma GCC pop_options
#endif

}  // namespace

void requantize_row_to_int8(const int32_t* acc, int64_t count, int32_t bias, QuantizedMultiplier m, int32_t zero_point,
                            int32_t act_min, int32_t act_max, int8_t* y) {
  ETCH_CHECK(act_min >= -128 && act_max <= 127 && act_min <= act_max)
      << "int8 activation range [" << act_min << ", " << act_max << "]";
  int64_t done = 0;
#ifdef ETCH_X86_SIMD
  if (cpu_has_avx2_fma() && m.shift <= 0 && m.shift >= -31 && m.multiplier != INT32_MIN)
    done =
        avx2_row(acc, count, bias, m.multiplier, -m.shift, act_min - zero_point, act_max - zero_point, zero_point, y);
#endif
  scalar_row(acc, done, count, bias, m, zero_point, act_min, act_max, y);
}

}  // namespace etch::runtime
