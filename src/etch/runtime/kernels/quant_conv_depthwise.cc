#include "etch/runtime/kernels/quant_conv_depthwise.h"

#include <algorithm>
#include <type_traits>
#include <vector>

#include "etch/core/cpu_features.h"
#include "etch/core/error.h"
#include "etch/core/thread_pool.h"
#include "etch/runtime/kernels/int8_centering.h"
#include "etch/runtime/kernels/simd_f32.h"

namespace etch::runtime {
namespace {

#ifdef ETCH_X86_SIMD
#pragma GCC push_options
#pragma GCC target("avx2")
// dst[i] = src[i] − zero for i < n: 8-bit values centered into int16,
// sixteen at a time.
template <typename T>
void center_row(const T* src, int64_t n, int32_t zero, int16_t* dst) {
  const __m256i z = _mm256_set1_epi16(static_cast<int16_t>(zero));
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), centered16(src + i, z));
  for (; i < n; ++i) dst[i] = static_cast<int16_t>(src[i] - zero);
}

// Phase f of a padded row: dst[f·ldf + j] = row[f + j·sw] for j < ldf (row
// holds sw·ldf values). Stride 2, the common one, sixteen at a time: the
// even entries of each pair of int16 are the low halves of its int32s.
void split_phases(const int16_t* row, int64_t sw, int64_t ldf, int16_t* dst) {
  int64_t j = 0;
  if (sw == 2)
    for (; j + 16 <= ldf; j += 16) {
      const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + 2 * j));
      const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + 2 * j + 16));
      const __m256i even = _mm256_packs_epi32(_mm256_srai_epi32(_mm256_slli_epi32(a, 16), 16),
                                              _mm256_srai_epi32(_mm256_slli_epi32(b, 16), 16));
      const __m256i odd = _mm256_packs_epi32(_mm256_srai_epi32(a, 16), _mm256_srai_epi32(b, 16));
      // packs interleaves the 128-bit halves of a and b: put them in order.
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + j), _mm256_permute4x64_epi64(even, 0xD8));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + ldf + j), _mm256_permute4x64_epi64(odd, 0xD8));
    }
  for (; j < ldf; ++j)
    for (int64_t f = 0; f < sw; ++f) dst[f * ldf + j] = row[f + j * sw];
}

// One output row: acc[j] for j in [0, width rounded up to 16). `row` is the
// row's first tap row in the padded plane; tap pair i reads row + off[2i] and
// row + off[2i + 1] with the two weights packed in wpairs[i].
void depthwise_row(const int16_t* row, const std::vector<int64_t>& off, const std::vector<int32_t>& wpairs,
                   int64_t width, int32_t* acc) {
  const size_t pairs = wpairs.size();
  for (int64_t c0 = 0; c0 < width; c0 += 16) {
    __m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();
    for (size_t i = 0; i < pairs; ++i) {
      const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + off[2 * i] + c0));
      const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + off[2 * i + 1] + c0));
      const __m256i w = _mm256_set1_epi32(wpairs[i]);
      // Within each 128-bit half: lo gets columns 0-3 (8-11), hi 4-7 (12-15).
      lo = _mm256_add_epi32(lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(a, b), w));
      hi = _mm256_add_epi32(hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(a, b), w));
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(acc + c0), _mm256_permute2x128_si256(lo, hi, 0x20));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(acc + c0 + 8), _mm256_permute2x128_si256(lo, hi, 0x31));
  }
}
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw")
// center_row on thirty-two values at a time; returns how many it did.
template <typename T>
int64_t center_row_avx512(const T* src, int64_t n, int32_t zero, int16_t* dst) {
  const __m512i z = _mm512_set1_epi16(static_cast<int16_t>(zero));
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i));
    const __m512i v = std::is_same_v<T, uint8_t> ? _mm512_cvtepu8_epi16(b) : _mm512_cvtepi8_epi16(b);
    _mm512_storeu_si512(dst + i, _mm512_sub_epi16(v, z));
  }
  return i;
}

// depthwise_row on thirty-two columns at a time: columns [0, width rounded
// down to 32); returns how many it did.
int64_t depthwise_row_avx512(const int16_t* row, const std::vector<int64_t>& off, const std::vector<int32_t>& wpairs,
                             int64_t width, int32_t* acc) {
  const size_t pairs = wpairs.size();
  // unpacklo/hi work within 128-bit lanes: lane k of lo holds columns
  // 8k..8k+3, of hi 8k+4..8k+7; these put them back in column order.
  const __m512i first = _mm512_setr_epi32(0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
  const __m512i second = _mm512_setr_epi32(8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31);
  int64_t c0 = 0;
  for (; c0 + 32 <= width; c0 += 32) {
    __m512i lo = _mm512_setzero_si512(), hi = _mm512_setzero_si512();
    for (size_t i = 0; i < pairs; ++i) {
      const __m512i a = _mm512_loadu_si512(row + off[2 * i] + c0);
      const __m512i b = _mm512_loadu_si512(row + off[2 * i + 1] + c0);
      const __m512i w = _mm512_set1_epi32(wpairs[i]);
      lo = _mm512_add_epi32(lo, _mm512_madd_epi16(_mm512_unpacklo_epi16(a, b), w));
      hi = _mm512_add_epi32(hi, _mm512_madd_epi16(_mm512_unpackhi_epi16(a, b), w));
    }
    _mm512_storeu_si512(acc + c0, _mm512_permutex2var_epi32(lo, first, hi));
    _mm512_storeu_si512(acc + c0 + 16, _mm512_permutex2var_epi32(lo, second, hi));
  }
  return c0;
}
#pragma GCC pop_options
#endif

}  // namespace

bool integer_depthwise_supported(const ir::ConvGeometry& g) {
#ifdef ETCH_X86_SIMD
  return cpu_has_avx2_fma() && g.group == g.in_channels && g.group == g.out_channels && g.in[0] == 1 && g.out[0] == 1 &&
         g.kernel[0] == 1;
#else
  (void)g;
  return false;
#endif
}

template <typename T>
void integer_depthwise(const ir::ConvGeometry& g, const T* x, int32_t x_zero, const std::vector<int32_t>& w_centered,
                       const IntConvEpilogue& epilogue) {
#ifdef ETCH_X86_SIMD
  ETCH_CHECK(integer_depthwise_supported(g)) << "integer_depthwise on a geometry it does not handle";
  const int64_t kh_n = g.kernel[1], kw_n = g.kernel[2], taps = kh_n * kw_n;
  const int64_t ih_n = g.in[1], iw_n = g.in[2], oh_n = g.out[1], ow_n = g.out[2];
  const int64_t sw = g.stride[2], dw = g.dilation[2];
  ETCH_CHECK(static_cast<int64_t>(w_centered.size()) == g.out_channels * taps) << "weight size";
  if (oh_n <= 0 || ow_n <= 0 || g.batch == 0 || g.out_channels == 0) return;
  const int64_t width = (ow_n + 15) / 16 * 16;
  // The padded plane, with each row split into sw phases: phase f holds the
  // padded row's columns f, f + sw, f + 2·sw, ..., so that output column j's
  // tap at padded column j·sw + c is phase c mod sw, index j + c / sw: every
  // tap reads consecutive int16s whatever the stride. Zeros outside the image.
  const int64_t ldf = width + (kw_n - 1) * dw / sw;  // one phase row
  const int64_t ldp = sw * ldf;                      // one padded row
  const int64_t rows = ir::window_extent(g, 1);
  const int64_t pad_top = g.pad_begin[1], pad_left = g.pad_begin[2];
  std::vector<int64_t> off(static_cast<size_t>((taps + 1) / 2 * 2), 0);
  for (int64_t kh = 0; kh < kh_n; ++kh)
    for (int64_t kw = 0; kw < kw_n; ++kw) {
      const int64_t c = kw * dw;
      off[kh * kw_n + kw] = kh * g.dilation[1] * ldp + c % sw * ldf + c / sw;
    }
  const bool wide = cpu_has_avx512bw();
  parallel_for(g.batch * g.out_channels, 1, [&](int64_t i0, int64_t i1) {
    // Every plane writes the same elements (the image's), so the zeros
    // around them, set here once, stay for all the planes of this block.
    std::vector<int16_t> plane(static_cast<size_t>(rows * ldp));
    // Output rows are written whole vectors at a time, each spilling into
    // the next row's place before that row overwrites it; the last spills
    // into the extra `width` values.
    std::vector<int32_t> out(static_cast<size_t>(oh_n * ow_n + width));
    std::vector<int32_t> wpairs(static_cast<size_t>((taps + 1) / 2));
    // One padded row: pad_left zeros, the image row, zeros to sw phase rows.
    std::vector<int16_t> prow(static_cast<size_t>(sw > 1 ? ldp : 0), 0);
    for (int64_t it = i0; it < i1; ++it) {
      const int64_t n = it / g.out_channels, m = it % g.out_channels;
      const T* xp = x + it * ih_n * iw_n;
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t ih = r - pad_top;
        if (ih < 0 || ih >= ih_n) continue;
        // The padded row (zeros around the image), then its sw phases.
        int16_t* dst = plane.data() + r * ldp;
        int16_t* padded = (sw == 1 ? dst : prow.data()) + pad_left;
        const int64_t count = std::min(iw_n, ldp - pad_left);
        const int64_t done = wide ? center_row_avx512(xp + ih * iw_n, count, x_zero, padded) : 0;
        center_row(xp + ih * iw_n + done, count - done, x_zero, padded + done);
        if (sw > 1) split_phases(prow.data(), sw, ldf, dst);
      }
      const int32_t* wm = w_centered.data() + m * taps;
      for (size_t i = 0; i < wpairs.size(); ++i) {
        const int64_t t = static_cast<int64_t>(2 * i);
        const auto w0 = static_cast<uint16_t>(wm[t]);
        const auto w1 = static_cast<uint16_t>(t + 1 < taps ? wm[t + 1] : 0);
        wpairs[i] = static_cast<int32_t>(uint32_t{w0} | uint32_t{w1} << 16);
      }
      // Whole planes go to the epilogue at once: small planes (8x8) made one
      // call per row cost more than the row.
      for (int64_t oh = 0; oh < oh_n; ++oh) {
        const int16_t* row = plane.data() + oh * g.stride[1] * ldp;
        int32_t* acc = out.data() + oh * ow_n;
        const int64_t done = wide ? depthwise_row_avx512(row, off, wpairs, width, acc) : 0;
        depthwise_row(row + done, off, wpairs, width - done, acc + done);
      }
      epilogue(n, m, 0, oh_n * ow_n, out.data());
    }
  });
#else
  (void)g, (void)x, (void)x_zero, (void)w_centered, (void)epilogue;
#endif
}

template void integer_depthwise<uint8_t>(const ir::ConvGeometry&, const uint8_t*, int32_t, const std::vector<int32_t>&,
                                         const IntConvEpilogue&);
template void integer_depthwise<int8_t>(const ir::ConvGeometry&, const int8_t*, int32_t, const std::vector<int32_t>&,
                                        const IntConvEpilogue&);

}  // namespace etch::runtime
