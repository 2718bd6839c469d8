#include "etch/runtime/kernels/maxpool_rows.h"

#include "etch/core/cpu_features.h"
#include "etch/runtime/kernels/simd_f32.h"

namespace etch::runtime {

#ifdef ETCH_X86_SIMD
namespace {

__attribute__((target("avx2"))) int64_t blocks_avx2(const int8_t* r0, const int8_t* r1, int8_t* y, int64_t n) {
  int64_t o = 0;
  for (; o + 16 <= n; o += 16) {
    const __m256i v = _mm256_max_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(r0 + 2 * o)),
                                      _mm256_loadu_si256(reinterpret_cast<const __m256i*>(r1 + 2 * o)));
    // Even and odd bytes sign-extended to 16 bits, their max, packed back
    // (the values are int8, so the saturating pack is exact).
    const __m256i even = _mm256_srai_epi16(_mm256_slli_epi16(v, 8), 8), odd = _mm256_srai_epi16(v, 8);
    const __m256i m = _mm256_max_epi16(even, odd);
    const __m128i packed = _mm_packs_epi16(_mm256_castsi256_si128(m), _mm256_extracti128_si256(m, 1));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(y + o), packed);
  }
  return o;
}

// 32 outputs per step and the rest under a mask, so that narrow rows (14 or
// 7 outputs in a small CNN) run vectorised too; masked-off bytes are not read.
__attribute__((target("avx512f,avx512bw,avx512vl"))) int64_t rows_avx512(const int8_t* r0, const int8_t* r1, int8_t* y,
                                                                         int64_t n) {
  for (int64_t o = 0; o < n; o += 32) {
    const int64_t k = n - o < 32 ? n - o : 32;
    const __mmask64 in = k == 32 ? ~__mmask64{0} : (__mmask64{1} << (2 * k)) - 1;
    const __mmask32 out = k == 32 ? ~__mmask32{0} : (__mmask32{1} << k) - 1;
    const __m512i v = _mm512_max_epi8(_mm512_maskz_loadu_epi8(in, r0 + 2 * o), _mm512_maskz_loadu_epi8(in, r1 + 2 * o));
    const __m512i even = _mm512_srai_epi16(_mm512_slli_epi16(v, 8), 8), odd = _mm512_srai_epi16(v, 8);
    _mm512_mask_cvtepi16_storeu_epi8(y + o, out, _mm512_max_epi16(even, odd));  // vpmovwb: each word's low byte
  }
  return n;
}

}  // namespace

int64_t max_pool_2x2_rows_i8(const int8_t* r0, const int8_t* r1, int8_t* y, int64_t n) {
  if (cpu_has_avx512bw()) return rows_avx512(r0, r1, y, n);
  return cpu_has_avx2_fma() ? blocks_avx2(r0, r1, y, n) : 0;
}
#else
int64_t max_pool_2x2_rows_i8(const int8_t*, const int8_t*, int8_t*, int64_t) { return 0; }
#endif

}  // namespace etch::runtime
