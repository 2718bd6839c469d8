// gemmlowp's multiply by a quantized multiplier with a right shift
// (SaturatingRoundingDoublingHighMul, then RoundingDivideByPOT by e = −shift
// in [0, 31]) on sixteen int32 lanes, and the requantization row built on
// it: shared by the integer runtime and the simulator so that both compute
// it with the same code.
//
// The two roundings fold into one exact 64-bit shift. SRDHM gives
// h = floor((p + 2^30) / 2^31) for the product p = x·multiplier, and
// RoundingDivideByPOT(h, e) = floor((h + 2^(e−1) − [h < 0]) / 2^e) for e ≥ 1
// (h itself for e = 0). As floor((floor(a / b) + c) / d) = floor((a + c·b) /
// (b·d)) for integers, the result is
//   floor((p + 2^30 + 2^(30+e) − [p < −2^30]·2^31) / 2^(31+e)),
// since h < 0 exactly when p < −2^30. |p| ≤ 2^62, so the sum stays inside
// int64. SRDHM's one saturating case (both operands INT32_MIN) is excluded:
// the multiplier must not be INT32_MIN.
#pragma once
#include <cstdint>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

namespace etch {

// GCC 12's AVX-512 shift intrinsics pass a self-initialised "undefined"
// vector as their unused merge source, which -Wuninitialized reports once
// they are inlined.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
struct RightShiftMultiplier16 {
  __m512i mul, round, negative_fix, minus_half;
  __m128i shift;

  __attribute__((target("avx512f"))) RightShiftMultiplier16(int32_t multiplier, int exponent) {
    mul = _mm512_set1_epi32(multiplier);
    round = _mm512_set1_epi64((int64_t{1} << 30) + (exponent > 0 ? int64_t{1} << (30 + exponent) : 0));
    negative_fix = _mm512_set1_epi64(exponent > 0 ? int64_t{1} << 31 : 0);
    minus_half = _mm512_set1_epi64(-(int64_t{1} << 30));
    shift = _mm_cvtsi32_si128(31 + exponent);
  }
  // Lanes 0, 2, 4, ... of x (the low half of each 64-bit lane), as int64.
  __attribute__((target("avx512f"))) __m512i even(__m512i x) const {
    const __m512i p = _mm512_mul_epi32(x, mul);
    const __m512i sum = _mm512_add_epi64(p, round);
    return _mm512_sra_epi64(_mm512_mask_sub_epi64(sum, _mm512_cmplt_epi64_mask(p, minus_half), sum, negative_fix),
                            shift);
  }
  __attribute__((target("avx512f"))) __m512i operator()(__m512i x) const {
    // Odd lanes' results moved into place from the low halves of theirs.
    return _mm512_mask_shuffle_epi32(even(x), 0xAAAA, even(_mm512_srli_epi64(x, 32)), _MM_PERM_CDAB);
  }
};

// The first n (0 < n < 16) of sixteen lanes.
inline __mmask16 first_lanes16(int64_t n) { return static_cast<__mmask16>((1u << n) - 1u); }

// clamp(q + zero_point, lo, hi) stored as int8 into the lanes of `lanes`
// (the other bytes of y are not touched). Inside [lo, hi] ⊆ [−128, 127]
// after the clamp, so the narrowing never saturates.
struct Int8Store16 {
  __m512i lo, hi, zp;
  __attribute__((target("avx512f"))) Int8Store16(int32_t zero_point, int32_t act_min, int32_t act_max)
      : lo(_mm512_set1_epi32(act_min - zero_point)),
        hi(_mm512_set1_epi32(act_max - zero_point)),
        zp(_mm512_set1_epi32(zero_point)) {}
  __attribute__((target("avx512f"))) void operator()(__m512i q, int8_t* y, __mmask16 lanes = 0xFFFF) const {
    _mm512_mask_cvtsepi32_storeu_epi8(y, lanes, _mm512_add_epi32(_mm512_min_epi32(_mm512_max_epi32(q, lo), hi), zp));
  }
};

// y[i] = clamp(((acc[i] + bias) wrapping) · multiplier rounded as above +
// zero_point, lo, hi) for all n elements, the last partial vector with masked
// loads and stores: a row never falls back to narrower code (an AVX2 call
// for a row's tail after 512-bit code cost more than the tail itself). The
// constants are locals, which int8 stores cannot alias, so they stay in
// registers.
__attribute__((target("avx512f"))) inline void requantize_row_avx512(const int32_t* acc, int64_t n, int32_t bias,
                                                                     int32_t multiplier, int exponent,
                                                                     int32_t zero_point, int32_t lo, int32_t hi,
                                                                     int8_t* y) {
  const RightShiftMultiplier16 mul(multiplier, exponent);
  const Int8Store16 store(zero_point, lo, hi);
  const __m512i b = _mm512_set1_epi32(bias);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) store(mul(_mm512_add_epi32(_mm512_loadu_si512(acc + i), b)), y + i);
  if (i < n) {
    const __mmask16 lanes = first_lanes16(n - i);
    store(mul(_mm512_add_epi32(_mm512_maskz_loadu_epi32(lanes, acc + i), b)), y + i, lanes);
  }
}
#pragma GCC diagnostic pop

}  // namespace etch
#endif
