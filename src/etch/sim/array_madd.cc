// The pairs layout (AVX2 or portable loops) and the choice of layout; the
// quads are in array_madd_quads.cc.
#include "etch/sim/array_madd.h"

#include "etch/core/cpu_features.h"
#include "etch/sim/fixed_point.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace etch::sim {

int32_t copy_weight_row(const int8_t* w, int64_t k, int64_t stride, int8_t* dst) {
  int64_t sum = 0, j = 0;
#if defined(__x86_64__)
  // Sixteen weights at a time (SSE2): copied, and summed as the unsigned
  // bytes w + 128 by psadbw, 128 each taken off below. A MATMUL appends a
  // row per column, and the rows are short (the array's height).
  const __m128i flip = _mm_set1_epi8(static_cast<char>(0x80));
  __m128i sums = _mm_setzero_si128();
  for (; j + 16 <= k; j += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + j));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + j), v);
    sums = _mm_add_epi64(sums, _mm_sad_epu8(_mm_xor_si128(v, flip), _mm_setzero_si128()));
  }
  sum = _mm_cvtsi128_si64(sums) + _mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)) - 128 * j;
#endif
  for (; j < k; ++j) {
    dst[j] = w[j];
    sum += w[j];
  }
  for (; j < stride; ++j) dst[j] = 0;
  return static_cast<int32_t>(sum);
}

namespace {

// Pairs [q0, q1) one at a time, all pixels; a pair of zero weights is skipped
// (pruned 2:4 layers have many).
void accumulate_portable(int32_t* acc, const int16_t* x, const int8_t* w, int64_t q0, int64_t q1, int64_t n) {
  for (int64_t q = q0; q < q1; ++q) {
    const int32_t w0 = w[2 * q], w1 = w[2 * q + 1];
    if ((w0 | w1) == 0) continue;
    const int16_t* xp = x + q * 2 * n;
    for (int64_t p = 0; p < n; ++p) acc[p] = wrapping_add(acc[p], w0 * xp[2 * p] + w1 * xp[2 * p + 1]);
  }
}

#if defined(__x86_64__)
// Two weights as vpmaddwd's 32-bit operand: the low one multiplies the pair's
// first input.
inline int32_t weight_pair(int16_t lo, int16_t hi) {
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint16_t>(lo)) |
                              (static_cast<uint32_t>(static_cast<uint16_t>(hi)) << 16));
}

// Pixels p..p+7 of one pair of rows (16 int16).
__attribute__((target("avx2"))) inline __m256i load_pixels(const int16_t* pair_row, int64_t p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(pair_row + 2 * p));
}

// Four pairs (eight weights) per pass over the accumulators, eight pixels per
// vector. |x|, |w| <= 128 as int8 values widened, so no vpmaddwd saturates.
__attribute__((target("avx2"))) void accumulate_avx2(int32_t* acc, const int16_t* x, const int8_t* w, int64_t pairs,
                                                     int64_t n) {
  int64_t q = 0;
  for (; q + 4 <= pairs; q += 4) {
    const int8_t* wq = w + 2 * q;
    bool zero = true;
    for (int i = 0; i < 8; ++i) zero = zero && wq[i] == 0;
    if (zero) continue;
    const __m256i w0 = _mm256_set1_epi32(weight_pair(wq[0], wq[1])), w1 = _mm256_set1_epi32(weight_pair(wq[2], wq[3])),
                  w2 = _mm256_set1_epi32(weight_pair(wq[4], wq[5])), w3 = _mm256_set1_epi32(weight_pair(wq[6], wq[7]));
    const int16_t* x0 = x + q * 2 * n;
    const int16_t *x1 = x0 + 2 * n, *x2 = x1 + 2 * n, *x3 = x2 + 2 * n;
    int64_t p = 0;
    for (; p + 8 <= n; p += 8) {
      const __m256i s01 =
          _mm256_add_epi32(_mm256_madd_epi16(load_pixels(x0, p), w0), _mm256_madd_epi16(load_pixels(x1, p), w1));
      const __m256i s23 =
          _mm256_add_epi32(_mm256_madd_epi16(load_pixels(x2, p), w2), _mm256_madd_epi16(load_pixels(x3, p), w3));
      __m256i* a = reinterpret_cast<__m256i*>(acc + p);
      _mm256_storeu_si256(a, _mm256_add_epi32(_mm256_loadu_si256(a), _mm256_add_epi32(s01, s23)));
    }
    for (; p < n; ++p) {
      int32_t s = 0;
      for (int i = 0; i < 4; ++i) s += wq[2 * i] * x0[2 * i * n + 2 * p] + wq[2 * i + 1] * x0[2 * i * n + 2 * p + 1];
      acc[p] = wrapping_add(acc[p], s);
    }
  }
  accumulate_portable(acc, x, w, q, pairs, n);
}

// Sixteen pixels at a time for stride 1: bytes interleaved, then widened.
__attribute__((target("avx2"))) int64_t interleave_avx2(int16_t* dst, const int8_t* r0, const int8_t* r1, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r0 + i));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r1 + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + 2 * i), _mm256_cvtepi8_epi16(_mm_unpacklo_epi8(a, b)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + 2 * i + 16), _mm256_cvtepi8_epi16(_mm_unpackhi_epi8(a, b)));
  }
  return i;
}

const bool kHasAvx2 = __builtin_cpu_supports("avx2");
#endif

}  // namespace

void interleave_pair_row(int16_t* dst, const int8_t* r0, const int8_t* r1, int64_t n, int64_t stride) {
  int64_t i = 0;
  if (r1 == nullptr) {
    for (; i < n; ++i) dst[2 * i] = r0[i * stride], dst[2 * i + 1] = 0;
    return;
  }
#if defined(__x86_64__)
  if (kHasAvx2 && stride == 1) i = interleave_avx2(dst, r0, r1, n);
#endif
  for (; i < n; ++i) dst[2 * i] = r0[i * stride], dst[2 * i + 1] = r1[i * stride];
}

void accumulate_pairs(int32_t* acc, const int16_t* x, const int8_t* w, int64_t pairs, int64_t n) {
#if defined(__x86_64__)
  if (kHasAvx2) return accumulate_avx2(acc, x, w, pairs, n);
#endif
  accumulate_portable(acc, x, w, 0, pairs, n);
}

void accumulate_pair_columns(int32_t* const* acc, const int16_t* x, const int8_t* const* w, int64_t cols, int64_t pairs,
                             int64_t n) {
  for (int64_t c = 0; c < cols; ++c) accumulate_pairs(acc[c], x, w[c], pairs, n);
}

MaddLayout madd_layout() { return cpu_has_avx512_vnni() ? MaddLayout::Quads : MaddLayout::Pairs; }

}  // namespace etch::sim
