// The quads layout of array_madd.h: AVX-512 VNNI kernels where the CPU has
// them, portable loops otherwise (the same results, for tests and other CPUs).
#include <algorithm>
#include <cstring>
#include <vector>

#include "etch/core/cpu_features.h"
#include "etch/sim/array_madd.h"
#include "etch/sim/fixed_point.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace etch::sim {
namespace {

void accumulate_quads_portable(int32_t* acc, const uint8_t* x, const int8_t* w, int32_t wsum, int64_t quads,
                               int64_t n) {
  for (int64_t p = 0; p < n; ++p) {
    int64_t s = -128 * static_cast<int64_t>(wsum);
    for (int64_t j = 0; j < 4 * quads; ++j) s += w[j] * static_cast<int64_t>(x[(j / 4) * 4 * n + 4 * p + j % 4]);
    acc[p] = wrapping_add(acc[p], s);
  }
}

#if defined(__x86_64__)
// Quads whose weights are zero in every one of C columns add nothing: listed
// out once (pruned 2:4 layers have many).
template <int C>
int64_t list_quads(const int8_t* const* w, int64_t q0, int64_t q1, int32_t* listed) {
  int64_t count = 0;
  for (int64_t q = q0; q < q1; ++q) {
    int32_t any = 0;
    for (int c = 0; c < C; ++c) {
      int32_t v;
      std::memcpy(&v, w[c] + 4 * q, sizeof v);
      any |= v;
    }
    if (any) listed[count++] = static_cast<int32_t>(q);
  }
  return count;
}

// C columns × B registers of sixteen pixels (up to 64 pixels per pass): the
// accumulators stay in registers over all listed quads; each quad's four
// weights per column (one int32) are broadcast once per pass and its pixels
// load once for all columns. vpdpbusd multiplies four unsigned bytes (x + 128)
// by four signed weights and adds them into a 32-bit lane (at most 4·255·128,
// no overflow), wrapping as the hardware does; `bias` holds −128·Σw per column.
template <int C, int B>
__attribute__((target("avx512f,avx512bw,avx512vnni"))) inline void quad_block_vnni(
    int32_t* const* acc, const uint8_t* x, const int8_t* const* w, const int32_t* bias, const int32_t* listed,
    int64_t count, int64_t n, int64_t p) {
  __mmask16 m16[B];
  for (int b = 0; b < B; ++b) {
    const int64_t left = n - p - 16 * b;
    m16[b] = left >= 16 ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << left) - 1);
  }
  __m512i a[C][B];
  for (int c = 0; c < C; ++c)
    for (int b = 0; b < B; ++b)
      a[c][b] = _mm512_add_epi32(_mm512_maskz_loadu_epi32(m16[b], acc[c] + p + 16 * b), _mm512_set1_epi32(bias[c]));
  for (int64_t i = 0; i < count; ++i) {
    const int64_t q = listed[i];
    __m512i wv[C];
    for (int c = 0; c < C; ++c) {
      int32_t v;
      std::memcpy(&v, w[c] + 4 * q, sizeof v);
      wv[c] = _mm512_set1_epi32(v);
    }
    const uint8_t* xq = x + q * 4 * n + 4 * p;
    for (int b = 0; b < B; ++b) {
      const __m512i xv = _mm512_maskz_loadu_epi32(m16[b], xq + 64 * b);
      for (int c = 0; c < C; ++c) a[c][b] = _mm512_dpbusd_epi32(a[c][b], xv, wv[c]);
    }
  }
  for (int c = 0; c < C; ++c)
    for (int b = 0; b < B; ++b) _mm512_mask_storeu_epi32(acc[c] + p + 16 * b, m16[b], a[c][b]);
}

template <int C>
__attribute__((target("avx512f,avx512bw,avx512vnni"))) void quad_columns_vnni(int32_t* const* acc, const uint8_t* x,
                                                                              const int8_t* const* w,
                                                                              const int32_t* wsum, int64_t quads,
                                                                              int64_t n) {
  constexpr int64_t kMaxListed = 1024;
  int32_t listed[kMaxListed];
  for (int64_t q0 = 0; q0 < quads; q0 += kMaxListed) {
    const int64_t q1 = std::min(quads, q0 + kMaxListed);
    const int64_t count = list_quads<C>(w, q0, q1, listed);
    // The offset's correction goes in with the first batch of quads only.
    int32_t bias[C];
    for (int c = 0; c < C; ++c) bias[c] = q0 == 0 ? static_cast<int32_t>(-128 * static_cast<uint32_t>(wsum[c])) : 0;
    // 64 pixels per pass while there are that many, then the last 1-64.
    for (int64_t p = 0; p < n; p += 64) {
      switch (std::min<int64_t>(4, (n - p + 15) / 16)) {
        case 4:
          quad_block_vnni<C, 4>(acc, x, w, bias, listed, count, n, p);
          break;
        case 3:
          quad_block_vnni<C, 3>(acc, x, w, bias, listed, count, n, p);
          break;
        case 2:
          quad_block_vnni<C, 2>(acc, x, w, bias, listed, count, n, p);
          break;
        default:
          quad_block_vnni<C, 1>(acc, x, w, bias, listed, count, n, p);
          break;
      }
    }
  }
}

// dst[i] = src[2 i] for i < n, sixteen at a time (SSE2): the low bytes of
// 32 source bytes seen as words. The vector loop stops where a 32-byte load
// would pass src[2 n - 2], the last byte the row may read.
void gather_even_bytes(int8_t* dst, const int8_t* src, int64_t n) {
  const __m128i low = _mm_set1_epi16(0x00FF);
  int64_t i = 0;
  for (; i + 17 <= n; i += 16) {
    const __m128i a = _mm_and_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * i)), low);
    const __m128i b = _mm_and_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * i + 16)), low);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), _mm_packus_epi16(a, b));
  }
  for (; i < n; ++i) dst[i] = src[2 * i];
}

// Lanes of a and b as _mm512_shuffle_i64x2 picks them, in its zero-masked
// form: GCC 12 warns that the unmasked one reads an undefined vector.
template <int Imm>
__attribute__((target("avx512f"))) inline __m512i pick_lanes(__m512i a, __m512i b) {
  return _mm512_maskz_shuffle_i64x2(0xFF, a, b, Imm);
}

// Sixty-four pixels of four stride-1 rows at a time (AVX-512BW), from pixel
// 0; returns where it stopped. The byte and word unpacks work within each
// 128-bit lane, so register j holds pixels 16L + 4j .. 16L + 4j + 3 of lane L;
// a 4 x 4 transpose of lanes puts each lane's sixteen pixels in order.
__attribute__((target("avx512f,avx512bw"))) int64_t interleave_quads_avx512(uint8_t* dst, const int8_t* const* r,
                                                                            int64_t n) {
  const __m512i offset = _mm512_set1_epi32(static_cast<int>(0x80808080u));
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    const __m512i a = _mm512_loadu_si512(r[0] + i), b = _mm512_loadu_si512(r[1] + i);
    const __m512i c = _mm512_loadu_si512(r[2] + i), d = _mm512_loadu_si512(r[3] + i);
    const __m512i ab_lo = _mm512_unpacklo_epi8(a, b), ab_hi = _mm512_unpackhi_epi8(a, b);
    const __m512i cd_lo = _mm512_unpacklo_epi8(c, d), cd_hi = _mm512_unpackhi_epi8(c, d);
    const __m512i q0 = _mm512_unpacklo_epi16(ab_lo, cd_lo), q1 = _mm512_unpackhi_epi16(ab_lo, cd_lo);
    const __m512i q2 = _mm512_unpacklo_epi16(ab_hi, cd_hi), q3 = _mm512_unpackhi_epi16(ab_hi, cd_hi);
    const __m512i t0 = pick_lanes<_MM_SHUFFLE(2, 0, 2, 0)>(q0, q1);  // q0.0 q0.2 q1.0 q1.2
    const __m512i t1 = pick_lanes<_MM_SHUFFLE(3, 1, 3, 1)>(q0, q1);  // q0.1 q0.3 q1.1 q1.3
    const __m512i t2 = pick_lanes<_MM_SHUFFLE(2, 0, 2, 0)>(q2, q3);
    const __m512i t3 = pick_lanes<_MM_SHUFFLE(3, 1, 3, 1)>(q2, q3);
    uint8_t* out = dst + 4 * i;
    _mm512_storeu_si512(out, _mm512_xor_si512(pick_lanes<_MM_SHUFFLE(2, 0, 2, 0)>(t0, t2), offset));
    _mm512_storeu_si512(out + 64, _mm512_xor_si512(pick_lanes<_MM_SHUFFLE(2, 0, 2, 0)>(t1, t3), offset));
    _mm512_storeu_si512(out + 128, _mm512_xor_si512(pick_lanes<_MM_SHUFFLE(3, 1, 3, 1)>(t0, t2), offset));
    _mm512_storeu_si512(out + 192, _mm512_xor_si512(pick_lanes<_MM_SHUFFLE(3, 1, 3, 1)>(t1, t3), offset));
  }
  return i;
}

// Four stride-1 rows' bytes interleaved into quads, + 128: 64 pixels at a
// time on AVX-512, then sixteen at a time (SSE2, which every x86-64 CPU has).
// Returns where it stopped (the caller does the last < 16 pixels).
int64_t interleave_quads_simd(uint8_t* dst, const int8_t* const* r, int64_t n) {
  const __m128i offset = _mm_set1_epi8(static_cast<char>(0x80));
  int64_t i = cpu_has_avx512bw() ? interleave_quads_avx512(dst, r, n) : 0;
  for (; i + 16 <= n; i += 16) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r[0] + i));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r[1] + i));
    const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r[2] + i));
    const __m128i d = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r[3] + i));
    const __m128i ab_lo = _mm_unpacklo_epi8(a, b), ab_hi = _mm_unpackhi_epi8(a, b);
    const __m128i cd_lo = _mm_unpacklo_epi8(c, d), cd_hi = _mm_unpackhi_epi8(c, d);
    __m128i* out = reinterpret_cast<__m128i*>(dst + 4 * i);
    _mm_storeu_si128(out + 0, _mm_xor_si128(_mm_unpacklo_epi16(ab_lo, cd_lo), offset));
    _mm_storeu_si128(out + 1, _mm_xor_si128(_mm_unpackhi_epi16(ab_lo, cd_lo), offset));
    _mm_storeu_si128(out + 2, _mm_xor_si128(_mm_unpacklo_epi16(ab_hi, cd_hi), offset));
    _mm_storeu_si128(out + 3, _mm_xor_si128(_mm_unpackhi_epi16(ab_hi, cd_hi), offset));
  }
  return i;
}
#endif

}  // namespace

void accumulate_quad_columns(int32_t* const* acc, const uint8_t* x, const int8_t* const* w, const int32_t* wsum,
                             int64_t cols, int64_t quads, int64_t n) {
  int64_t c = 0;
#if defined(__x86_64__)
  if (cpu_has_avx512_vnni()) {
    for (; c + 4 <= cols; c += 4) quad_columns_vnni<4>(acc + c, x, w + c, wsum + c, quads, n);
    switch (cols - c) {
      case 3:
        quad_columns_vnni<3>(acc + c, x, w + c, wsum + c, quads, n);
        break;
      case 2:
        quad_columns_vnni<2>(acc + c, x, w + c, wsum + c, quads, n);
        break;
      case 1:
        quad_columns_vnni<1>(acc + c, x, w + c, wsum + c, quads, n);
        break;
      default:
        break;
    }
    return;
  }
#endif
  for (; c < cols; ++c) accumulate_quads_portable(acc[c], x, w[c], wsum[c], quads, n);
}

void interleave_quad_row(uint8_t* dst, const int8_t* const* rows, int64_t n, int64_t stride) {
  int64_t i = 0;
#if defined(__x86_64__)
  if (stride == 1 && rows[0] && rows[1] && rows[2] && rows[3]) {
    i = interleave_quads_simd(dst, rows, n);
  } else if (stride <= 2) {
    // The vector path reads four stride-1 rows of n bytes: a missing row (past
    // k) reads zeros, and a stride-2 row (a strided convolution) is gathered
    // into one first.
    thread_local std::vector<int8_t> scratch;
    scratch.resize(static_cast<size_t>(5 * n));
    const int8_t* r[4];
    for (int j = 0; j < 4; ++j) {
      if (!rows[j]) {
        std::fill(scratch.begin() + 4 * n, scratch.end(), int8_t{0});
        r[j] = scratch.data() + 4 * n;
      } else if (stride == 2) {
        gather_even_bytes(scratch.data() + j * n, rows[j], n);
        r[j] = scratch.data() + j * n;
      } else {
        r[j] = rows[j];
      }
    }
    i = interleave_quads_simd(dst, r, n);
  }
#endif
  for (; i < n; ++i)
    for (int j = 0; j < 4; ++j)
      dst[4 * i + j] = static_cast<uint8_t>((rows[j] ? static_cast<uint8_t>(rows[j][i * stride]) : 0) ^ 0x80);
}

}  // namespace etch::sim
