#include "etch/runtime/quantize_row.h"

#include <limits>
#include <type_traits>

#include "etch/runtime/integer_fast_paths.h"
#include "etch/runtime/kernels/simd_f32.h"
#include "etch/runtime/requantize.h"

namespace etch::runtime {
namespace {

#ifdef ETCH_X86_SIMD
#pragma GCC push_options
#pragma GCC target("avx2")
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
    q = _mm256_blendv_epi8(q, nan_value, _mm256_castps_si256(nan));
    const __m256i w16 = _mm256_packs_epi32(q, q);
    const __m256i w8 = std::is_signed_v<T> ? _mm256_packs_epi16(w16, w16) : _mm256_packus_epi16(w16, w16);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(y + i), _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(
                                                            w8, _mm256_setr_epi32(0, 4, 0, 0, 0, 0, 0, 0))));
  }
  return i;
}
#pragma GCC pop_options
#endif

}  // namespace

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
