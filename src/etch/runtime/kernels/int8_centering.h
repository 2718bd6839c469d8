// Sixteen 8-bit inputs minus their zero point as int16, the centered values
// the integer kernels multiply in int16 pairs (vpmaddwd, vpdpwssd). Shared by
// the im2col pairing (quant_conv_core.cc) and the depthwise planes
// (quant_conv_depthwise.cc). For callers compiled for AVX2.
#pragma once
#include <cstdint>
#include <type_traits>

#include "etch/runtime/kernels/simd_f32.h"

#ifdef ETCH_X86_SIMD
namespace etch::runtime {

// int8 or uint8 values minus `zero` (sixteen copies of the zero point);
// int16 rows are taken as already centered.
template <typename T>
__attribute__((target("avx2"))) inline __m256i centered16(const T* src, __m256i zero) {
  if constexpr (std::is_same_v<T, int16_t>) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src));
  } else {
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
    return _mm256_sub_epi16(std::is_same_v<T, uint8_t> ? _mm256_cvtepu8_epi16(b) : _mm256_cvtepi8_epi16(b), zero);
  }
}

}  // namespace etch::runtime
#endif
