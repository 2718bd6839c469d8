// One small interface to float vectors for two x86 targets, AVX-512 (16 lanes)
// and AVX2 + FMA (8 lanes), so that a kernel body is written once (an .inc
// file) and compiled for each: include the body inside a namespace that
// imports one of these and is compiled for the same target (ETCH_SIMD_AVX512 /
// ETCH_SIMD_AVX2 with `#pragma GCC target`), and choose between them at run
// time with cpu_has_avx512() / cpu_has_avx2_fma(). The functions here may only
// be called from code compiled for their target.
//
// Both give the same bits for the same element-wise sequence of operations:
// fma is one rounding, add and the clamps are IEEE, so a kernel's result does
// not depend on which of them ran.
#pragma once

#include <cstdint>

#if defined(__x86_64__) && defined(__GNUC__)
#define ETCH_X86_SIMD 1
#include <immintrin.h>

namespace etch::runtime {

inline bool cpu_has_avx512() {
  static const bool ok = __builtin_cpu_supports("avx512f");
  return ok;
}
inline bool cpu_has_avx2_fma() {
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok;
}

#pragma GCC push_options
#pragma GCC target("avx512f")
namespace simd_avx512 {
using V = __m512;
using Mask = __mmask16;
constexpr int kW = 16;
inline V zero() { return _mm512_setzero_ps(); }
inline V set1(float a) { return _mm512_set1_ps(a); }
inline V load(const float* p) { return _mm512_loadu_ps(p); }
inline void store(float* p, V v) { _mm512_storeu_ps(p, v); }
// Lanes [a, b) of a vector, clipped to [0, kW).
inline Mask lanes(int64_t a, int64_t b) {
  a = a < 0 ? 0 : (a > kW ? kW : a);
  b = b < 0 ? 0 : (b > kW ? kW : b);
  return b <= a ? Mask{0} : static_cast<Mask>(((1u << b) - 1u) & ~((1u << a) - 1u));
}
inline Mask all() { return static_cast<Mask>(0xffff); }
// Masked lanes are neither read (no fault past a buffer's end) nor written.
inline V load(const float* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
inline void store(float* p, V v, Mask m) { _mm512_mask_storeu_ps(p, m, v); }
inline V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
inline V add(V a, V b) { return _mm512_add_ps(a, b); }
// v > 0 ? v : 0 (NaN gives 0), as the Relu kernel.
inline V relu(V v) { return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(v, zero(), _CMP_GT_OQ), v); }
// v < lo ? lo : (v > hi ? hi : v), as the Clip kernel (NaN stays NaN).
inline V clamp(V v, V lo, V hi) {
  const Mask below = _mm512_cmp_ps_mask(v, lo, _CMP_LT_OQ), above = _mm512_cmp_ps_mask(v, hi, _CMP_GT_OQ);
  return _mm512_mask_blend_ps(below, _mm512_mask_blend_ps(above, v, hi), lo);
}
// p[0], p[2], ..., p[2 kW - 2]; reads nothing past p[2 kW - 2].
inline V load_even(const float* p) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  return _mm512_permutex2var_ps(_mm512_loadu_ps(p), even, _mm512_maskz_loadu_ps(0x7fff, p + 16));
}
// The even and the odd elements of a followed by b.
inline void even_odd(V a, V b, V& even, V& odd) {
  const __m512i i = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  even = _mm512_permutex2var_ps(a, i, b);
  odd = _mm512_permutex2var_ps(a, _mm512_add_epi32(i, _mm512_set1_epi32(1)), b);
}
// Lanes [K, K + kW) of lo followed by hi (0 < K < kW): the vector a load K
// floats further would give, from two loads that need not cross cache lines.
template <int K>
inline V shift_in(V lo, V hi) {
  // A two-source permute (valignd's intrinsic trips GCC 12's uninitialised warning).
  const __m512i idx =
      _mm512_add_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), _mm512_set1_epi32(K));
  return _mm512_permutex2var_ps(lo, idx, hi);
}
}  // namespace simd_avx512
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace simd_avx2 {
using V = __m256;
using Mask = __m256i;
constexpr int kW = 8;
inline V zero() { return _mm256_setzero_ps(); }
inline V set1(float a) { return _mm256_set1_ps(a); }
inline V load(const float* p) { return _mm256_loadu_ps(p); }
inline void store(float* p, V v) { _mm256_storeu_ps(p, v); }
inline Mask lanes(int64_t a, int64_t b) {
  const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  a = a < 0 ? 0 : (a > kW ? kW : a);
  b = b < 0 ? 0 : (b > kW ? kW : b);
  const __m256i from_a = _mm256_cmpgt_epi32(iota, _mm256_set1_epi32(static_cast<int>(a) - 1));
  const __m256i below_b = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(b)), iota);
  return _mm256_and_si256(from_a, below_b);
}
inline Mask all() { return _mm256_set1_epi32(-1); }
inline V load(const float* p, Mask m) { return _mm256_maskload_ps(p, m); }
inline void store(float* p, V v, Mask m) { _mm256_maskstore_ps(p, m, v); }
inline V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
inline V add(V a, V b) { return _mm256_add_ps(a, b); }
inline V relu(V v) { return _mm256_and_ps(_mm256_cmp_ps(v, zero(), _CMP_GT_OQ), v); }
inline V clamp(V v, V lo, V hi) {
  const V above = _mm256_blendv_ps(v, hi, _mm256_cmp_ps(v, hi, _CMP_GT_OQ));
  return _mm256_blendv_ps(above, lo, _mm256_cmp_ps(v, lo, _CMP_LT_OQ));
}
inline V load_even(const float* p) {
  // Lanes 0-3 from the first 8 floats, lanes 4-7 from the next 7 (p[15] is not read).
  const __m256 a = _mm256_loadu_ps(p), b = _mm256_maskload_ps(p + 8, lanes(0, 7));
  const __m256 ea = _mm256_permutevar8x32_ps(a, _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6));
  const __m256 eb = _mm256_permutevar8x32_ps(b, _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6));
  return _mm256_blend_ps(ea, eb, 0xf0);
}
inline void even_odd(V a, V b, V& even, V& odd) {
  const __m256i i = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
  const __m256 pa = _mm256_permutevar8x32_ps(a, i), pb = _mm256_permutevar8x32_ps(b, i);
  even = _mm256_permute2f128_ps(pa, pb, 0x20);
  odd = _mm256_permute2f128_ps(pa, pb, 0x31);
}
// As simd_avx512::shift_in, for 0 < K < 4: per 128-bit lane from lo and the
// middle of lo:hi.
template <int K>
inline V shift_in(V lo, V hi) {
  static_assert(K > 0 && K < 4);
  const __m256 mid = _mm256_permute2f128_ps(lo, hi, 0x21);
  return _mm256_castsi256_ps(_mm256_alignr_epi8(_mm256_castps_si256(mid), _mm256_castps_si256(lo), 4 * K));
}
}  // namespace simd_avx2
#pragma GCC pop_options

}  // namespace etch::runtime
#endif
