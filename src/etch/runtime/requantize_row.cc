#include "etch/runtime/requantize_row.h"

#include <algorithm>
#include <limits>
#include <type_traits>

#include "etch/core/cpu_features.h"
#include "etch/core/error.h"
#include "etch/core/fixed_point_avx512.h"
#include "etch/runtime/integer_fast_paths.h"
#include "etch/runtime/kernels/simd_f32.h"

namespace etch::runtime {
namespace {

// Where the vector MBQM below applies: a right shift and a multiplier other
// than INT32_MIN (SRDHM's one saturating case needs both operands INT32_MIN).
bool vector_multiplier(QuantizedMultiplier m) { return m.shift <= 0 && m.shift >= -31 && m.multiplier != INT32_MIN; }

#ifdef ETCH_X86_SIMD
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw")
// GCC 12's AVX-512 shift intrinsics pass _mm512_undefined_epi32() (a
// self-initialised variable) as their unused merge source, which -Wuninitialized
// reports once they are inlined here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
// Mbqm8 on sixteen lanes, for vector_multiplier(m).
RightShiftMultiplier16 mbqm16(QuantizedMultiplier m) { return RightShiftMultiplier16(m.multiplier, -m.shift); }

// add_avx2 on sixteen lanes, all `count` elements (the tail masked, as in
// requantize_row_avx512).
int64_t add_avx512(const int8_t* a, const int8_t* b, int64_t count, const AddRequant& p, int8_t* y) {
  const RightShiftMultiplier16 ma = mbqm16(p.a), mb = mbqm16(p.b), my = mbqm16(p.y);
  const __m512i za = _mm512_set1_epi32(p.a_zero_point), zb = _mm512_set1_epi32(p.b_zero_point);
  const Int8Store16 out(p.y_zero_point, p.act_min, p.act_max);
  const __m128i left = _mm_cvtsi32_si128(p.left_shift);
  const auto sum = [&](__m128i a8, __m128i b8) {
    const __m512i sa = ma(_mm512_sll_epi32(_mm512_sub_epi32(_mm512_cvtepi8_epi32(a8), za), left));
    const __m512i sb = mb(_mm512_sll_epi32(_mm512_sub_epi32(_mm512_cvtepi8_epi32(b8), zb), left));
    return my(_mm512_add_epi32(sa, sb));
  };
  int64_t i = 0;
  for (; i + 16 <= count; i += 16)
    out(sum(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i)),
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i))),
        y + i);
  if (i < count) {
    const __mmask64 bytes = (uint64_t{1} << (count - i)) - 1u;
    out(sum(_mm512_castsi512_si128(_mm512_maskz_loadu_epi8(bytes, a + i)),
            _mm512_castsi512_si128(_mm512_maskz_loadu_epi8(bytes, b + i))),
        y + i, first_lanes16(count - i));
  }
  return count;
}
#pragma GCC diagnostic pop
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2")
// multiply_by_quantized_multiplier(x, m) on eight lanes, for vector_multiplier(m).
//
// SRDHM(a, b) = trunc((a·b + nudge) / 2^31) with nudge = 2^30 for a·b >= 0 and
// 1 − 2^30 below. For a·b < 0 the sum is negative, and truncation of a
// negative v is floor((v + 2^31 − 1) / 2^31): both cases are
// floor((a·b + 2^30) / 2^31), whose low 32 bits are bits 31..62 of the 64-bit
// sum, so a logical 64-bit shift gives them (AVX2 has no arithmetic one).
// RoundingDivideByPOT then adds 1 where the remainder exceeds half (half + 1
// for negative values) to the arithmetic shift.
struct Mbqm8 {
  __m256i mul, half, mask, half_mask;
  __m128i shift;
  explicit Mbqm8(QuantizedMultiplier m) {
    const int exponent = -m.shift;
    mul = _mm256_set1_epi32(m.multiplier);
    half = _mm256_set1_epi64x(int64_t{1} << 30);
    shift = _mm_cvtsi32_si128(exponent);
    mask = _mm256_set1_epi32(static_cast<int32_t>((uint32_t{1} << exponent) - 1u));
    half_mask = _mm256_srai_epi32(mask, 1);
  }
  __m256i operator()(__m256i x) const {
    const __m256i even = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(x, mul), half), 31);
    const __m256i odd = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), mul), half), 31);
    const __m256i high = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xaa);
    const __m256i rem = _mm256_and_si256(high, mask);
    const __m256i threshold = _mm256_sub_epi32(half_mask, _mm256_cmpgt_epi32(_mm256_setzero_si256(), high));
    const __m256i up = _mm256_and_si256(_mm256_cmpgt_epi32(rem, threshold), _mm256_set1_epi32(1));
    return _mm256_add_epi32(_mm256_sra_epi32(high, shift), up);
  }
};

// Eight int32 lanes already inside T's range, stored as eight T.
template <typename T>
void store8(__m256i q, T* y) {
  const __m256i w16 = _mm256_packs_epi32(q, q);
  const __m256i w8 = std::is_signed_v<T> ? _mm256_packs_epi16(w16, w16) : _mm256_packus_epi16(w16, w16);
  _mm_storel_epi64(reinterpret_cast<__m128i*>(y),
                   _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(w8, _mm256_setr_epi32(0, 4, 0, 0, 0, 0, 0, 0))));
}

// clamp(q + zp, lo, hi) == clamp(q, lo − zp, hi − zp) + zp (no overflow),
// stored as eight int8.
struct Output8 {
  __m256i lo, hi, zp;
  Output8(int32_t zero_point, int32_t act_min, int32_t act_max)
      : lo(_mm256_set1_epi32(act_min - zero_point)),
        hi(_mm256_set1_epi32(act_max - zero_point)),
        zp(_mm256_set1_epi32(zero_point)) {}
  __m256i clamp(__m256i q) const { return _mm256_add_epi32(_mm256_min_epi32(_mm256_max_epi32(q, lo), hi), zp); }
  void store(__m256i q, int8_t* y) const { store8(clamp(q), y); }
  // Four vectors' lanes, in order, as 32 int8 in one store (one pack chain
  // instead of four).
  void store32(__m256i a, __m256i b, __m256i c, __m256i d, int8_t* y) const {
    const __m256i w8 =
        _mm256_packs_epi16(_mm256_packs_epi32(clamp(a), clamp(b)), _mm256_packs_epi32(clamp(c), clamp(d)));
    // The packs interleave 128-bit halves: 32-bit groups come out as
    // a0 b0 c0 d0 a1 b1 c1 d1 (x0 = lanes 0-3 of x, x1 = lanes 4-7).
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y),
                        _mm256_permutevar8x32_epi32(w8, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7)));
  }
};

// Elements [0, count rounded down to 8); returns how many it did. `out` by
// value: int8 stores may alias anything a reference points at, so its
// vectors were reloaded after every store; a copy stays in registers.
int64_t requantize_avx2(const int32_t* acc, int64_t count, int32_t bias, QuantizedMultiplier m, Output8 out,
                        int8_t* y) {
  const Mbqm8 mbqm(m);
  const __m256i b = _mm256_set1_epi32(bias);
  auto at = [&](int64_t i) {
    return mbqm(_mm256_add_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc + i)), b));
  };
  int64_t i = 0;
  for (; i + 32 <= count; i += 32) out.store32(at(i), at(i + 8), at(i + 16), at(i + 24), y + i);
  for (; i + 8 <= count; i += 8) out.store(at(i), y + i);
  return i;
}

int64_t add_avx2(const int8_t* a, const int8_t* b, int64_t count, const AddRequant& p, int8_t* y) {
  const Mbqm8 ma(p.a), mb(p.b), my(p.y);
  const Output8 out(p.y_zero_point, p.act_min, p.act_max);
  const __m256i za = _mm256_set1_epi32(p.a_zero_point), zb = _mm256_set1_epi32(p.b_zero_point);
  const __m128i left = _mm_cvtsi32_si128(p.left_shift);
  int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256i va = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(a + i)));
    const __m256i vb = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(b + i)));
    const __m256i sa = ma(_mm256_sll_epi32(_mm256_sub_epi32(va, za), left));
    const __m256i sb = mb(_mm256_sll_epi32(_mm256_sub_epi32(vb, zb), left));
    out.store(my(_mm256_add_epi32(sa, sb)), y + i);
  }
  return i;
}
// Elements [0, count rounded down to 8); returns how many it did. Values are
// clamped to ±2^24 before rounding (far outside any 8-bit range, so the final
// saturation is unchanged, and the int32 conversion cannot overflow).
template <typename T>
int64_t quantize_avx2(const float* x, int64_t count, float scale, int32_t zero_point, T* y) {
  const __m256 s = _mm256_set1_ps(scale), big = _mm256_set1_ps(16777216.0f), nbig = _mm256_set1_ps(-16777216.0f);
  const __m256i zp = _mm256_set1_epi32(zero_point);
  const __m256i lo = _mm256_set1_epi32(std::numeric_limits<T>::min());
  const __m256i hi = _mm256_set1_epi32(std::numeric_limits<T>::max());
  const __m256i nan_value = _mm256_min_epi32(_mm256_max_epi32(zp, lo), hi);
  int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256 v = _mm256_div_ps(_mm256_loadu_ps(x + i), s);
    const __m256 nan = _mm256_cmp_ps(v, v, _CMP_UNORD_Q);
    const __m256 r =
        _mm256_round_ps(_mm256_min_ps(_mm256_max_ps(v, nbig), big), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256i q = _mm256_add_epi32(_mm256_cvttps_epi32(r), zp);
    q = _mm256_min_epi32(_mm256_max_epi32(q, lo), hi);
    store8(_mm256_blendv_epi8(q, nan_value, _mm256_castps_si256(nan)), y + i);
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
  if (integer_fast_paths() && vector_multiplier(m)) {
    if (cpu_has_avx512bw()) {
      requantize_row_avx512(acc, count, bias, m.multiplier, -m.shift, zero_point, act_min, act_max, y);
      done = count;
    } else if (cpu_has_avx2_fma()) {
      done = requantize_avx2(acc, count, bias, m, Output8(zero_point, act_min, act_max), y);
    }
  }
#endif
  for (int64_t i = done; i < count; ++i)
    y[i] = static_cast<int8_t>(requantize(wrapping_add(acc[i], bias), m, zero_point, act_min, act_max));
}

int8_t add_int8(int32_t a, int32_t b, const AddRequant& p) {
  // (q − zp)·2^left fits in int32: |q − zp| ≤ 255 and left ≤ 23.
  const int32_t va = multiply_by_quantized_multiplier((a - p.a_zero_point) * (1 << p.left_shift), p.a);
  const int32_t vb = multiply_by_quantized_multiplier((b - p.b_zero_point) * (1 << p.left_shift), p.b);
  return static_cast<int8_t>(requantize(va + vb, p.y, p.y_zero_point, p.act_min, p.act_max));
}

void add_row_int8(const int8_t* a, const int8_t* b, int64_t count, const AddRequant& p, int8_t* y) {
  ETCH_CHECK(p.act_min >= -128 && p.act_max <= 127 && p.act_min <= p.act_max && p.left_shift >= 0 && p.left_shift <= 23)
      << "QAdd parameters out of range";
  int64_t done = 0;
#ifdef ETCH_X86_SIMD
  if (integer_fast_paths() && vector_multiplier(p.a) && vector_multiplier(p.b) && vector_multiplier(p.y)) {
    if (cpu_has_avx512bw())
      done = add_avx512(a, b, count, p, y);
    else if (cpu_has_avx2_fma())
      done = add_avx2(a, b, count, p, y);
  }
#endif
  for (int64_t i = done; i < count; ++i) y[i] = add_int8(a[i], b[i], p);
}

template <typename T>
void quantize_row_half_even(const float* x, int64_t count, float scale, int32_t zero_point, T* y) {
  int64_t done = 0;
#ifdef ETCH_X86_SIMD
  if (integer_fast_paths() && cpu_has_avx2_fma()) done = quantize_avx2(x, count, scale, zero_point, y);
#endif
  for (int64_t i = done; i < count; ++i) y[i] = quantize_half_even<T>(x[i], scale, zero_point);
}

template void quantize_row_half_even<int8_t>(const float*, int64_t, float, int32_t, int8_t*);
template void quantize_row_half_even<uint8_t>(const float*, int64_t, float, int32_t, uint8_t*);

}  // namespace etch::runtime
