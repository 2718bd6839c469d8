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

// keep_max(m, v) = v > m ? v : m is maxps(v, m), which returns its first
// operand only where it is greater: NaN and signed zeros come out as in the
// scalar loop. The four taps are taken in its order: r0 even, r0 odd, r1 even,
// r1 odd.
__attribute__((target("avx2"))) __m256 max4_avx2(__m256 r0e, __m256 r0o, __m256 r1e, __m256 r1o) {
  return _mm256_max_ps(r1o, _mm256_max_ps(r1e, _mm256_max_ps(r0o, r0e)));
}

__attribute__((target("avx2"))) int64_t blocks_avx2(const float* x, int64_t w, int64_t pairs, int64_t n, float* y) {
  const int64_t whole = n / 8 * 8;
  for (int64_t q = 0; q < pairs; ++q, x += 2 * w, y += n) {
    const float* r1 = x + w;
    for (int64_t o = 0; o < whole; o += 8) {
      const __m256 a0 = _mm256_loadu_ps(x + 2 * o), a1 = _mm256_loadu_ps(x + 2 * o + 8);
      const __m256 b0 = _mm256_loadu_ps(r1 + 2 * o), b1 = _mm256_loadu_ps(r1 + 2 * o + 8);
      // Even and odd taps within 128-bit lanes (outputs 0 1 4 5 | 2 3 6 7), put
      // in order after the max.
      const __m256 m = max4_avx2(
          _mm256_shuffle_ps(a0, a1, _MM_SHUFFLE(2, 0, 2, 0)), _mm256_shuffle_ps(a0, a1, _MM_SHUFFLE(3, 1, 3, 1)),
          _mm256_shuffle_ps(b0, b1, _MM_SHUFFLE(2, 0, 2, 0)), _mm256_shuffle_ps(b0, b1, _MM_SHUFFLE(3, 1, 3, 1)));
      _mm256_storeu_ps(y + o, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(m), _MM_SHUFFLE(3, 1, 2, 0))));
    }
  }
  return whole;
}

// The masked max: GCC 12 warns that the unmasked one's pass-through operand
// is undefined.
__attribute__((target("avx512f"))) __m512 max4_avx512(__m512 r0e, __m512 r0o, __m512 r1e, __m512 r1o) {
  const __mmask16 all = 0xffff;
  return _mm512_maskz_max_ps(all, r1o, _mm512_maskz_max_ps(all, r1e, _mm512_maskz_max_ps(all, r0o, r0e)));
}

// 16 outputs per step and the rest under a mask (masked-off floats are not
// read), so that narrow rows (14 or 7 outputs in a small CNN) run vectorised.
__attribute__((target("avx512f"))) int64_t rows_avx512(const float* x, int64_t w, int64_t pairs, int64_t n, float* y) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  for (int64_t q = 0; q < pairs; ++q, x += 2 * w, y += n) {
    const float* r1 = x + w;
    for (int64_t o = 0; o < n; o += 16) {
      const int64_t k = n - o < 16 ? n - o : 16;
      const __mmask16 lo = 2 * k >= 16 ? __mmask16(0xffff) : __mmask16((1u << (2 * k)) - 1);
      const __mmask16 hi = 2 * k <= 16 ? __mmask16(0) : __mmask16((1u << (2 * k - 16)) - 1);
      const __m512 a0 = _mm512_maskz_loadu_ps(lo, x + 2 * o), a1 = _mm512_maskz_loadu_ps(hi, x + 2 * o + 16);
      const __m512 b0 = _mm512_maskz_loadu_ps(lo, r1 + 2 * o), b1 = _mm512_maskz_loadu_ps(hi, r1 + 2 * o + 16);
      const __m512 m = max4_avx512(_mm512_permutex2var_ps(a0, even, a1), _mm512_permutex2var_ps(a0, odd, a1),
                                   _mm512_permutex2var_ps(b0, even, b1), _mm512_permutex2var_ps(b0, odd, b1));
      _mm512_mask_storeu_ps(y + o, __mmask16((1u << k) - 1), m);
    }
  }
  return n;
}

}  // namespace

int64_t max_pool_2x2_f32(const float* x, int64_t w, int64_t pairs, int64_t n, float* y) {
  // The byte/word check though only AVX-512F is used: it is the one tests can
  // turn off (avx512_allowed) to run the AVX2 path.
  if (cpu_has_avx512bw()) return rows_avx512(x, w, pairs, n, y);
  return cpu_has_avx2_fma() ? blocks_avx2(x, w, pairs, n, y) : 0;
}

int64_t max_pool_2x2_rows_i8(const int8_t* r0, const int8_t* r1, int8_t* y, int64_t n) {
  if (cpu_has_avx512bw()) return rows_avx512(r0, r1, y, n);
  return cpu_has_avx2_fma() ? blocks_avx2(r0, r1, y, n) : 0;
}
#else
int64_t max_pool_2x2_rows_i8(const int8_t*, const int8_t*, int8_t*, int64_t) { return 0; }
int64_t max_pool_2x2_f32(const float*, int64_t, int64_t, int64_t, float*) { return 0; }
#endif

}  // namespace etch::runtime
