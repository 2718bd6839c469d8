#include "etch/runtime/kernels/quant_conv_core.h"

#include <algorithm>
#include <type_traits>

#include "etch/core/cpu_features.h"
#include "etch/core/error.h"
#include "etch/core/thread_pool.h"
#include "etch/runtime/integer_fast_paths.h"
#include "etch/runtime/kernels/int8_centering.h"
#include "etch/runtime/kernels/quant_conv_depthwise.h"
#include "etch/runtime/kernels/quant_conv_onednn.h"
#include "etch/runtime/kernels/simd_f32.h"

namespace etch::runtime {
namespace {
// Output positions per im2col block: bounds the scratch to K·kBlock int16s
// and gives the pool independent tasks. Both kernels use the same blocks.
constexpr int64_t kBlock = 256;

struct Layout {
  int64_t cg, mg, k_total, in_plane, out_plane, blocks;
};

Layout check_and_measure(const ir::ConvGeometry& g, const std::vector<int32_t>& w_centered) {
  Layout l;
  l.cg = g.in_channels / g.group;
  l.mg = g.out_channels / g.group;
  l.k_total = l.cg * g.kernel[0] * g.kernel[1] * g.kernel[2];
  l.in_plane = g.in[0] * g.in[1] * g.in[2];
  l.out_plane = g.out[0] * g.out[1] * g.out[2];
  l.blocks = (l.out_plane + kBlock - 1) / kBlock;
  ETCH_CHECK(static_cast<int64_t>(w_centered.size()) == g.out_channels * l.k_total) << "weight size";
  for (int32_t v : w_centered) ETCH_CHECK(v >= -255 && v <= 255) << "centered weight " << v << " exceeds 9 bits";
  return l;
}

// Tasks (blocks of kBlock positions × one group's output channels) of at
// least ~1M multiply-adds: waking a second thread costs more than a small
// layer's whole work (the fixture's first conv: 113K).
int64_t task_grain(const Layout& l) {
  return std::max<int64_t>(1, (int64_t{1} << 20) / std::max<int64_t>(1, kBlock * l.k_total * l.mg));
}

// 1x1 windows, stride 1, no padding: a block of output positions is the same
// run of every input plane.
bool unit_windows(const ir::ConvGeometry& g) {
  for (int d = 0; d < 3; ++d)
    if (g.kernel[d] != 1 || g.stride[d] != 1 || g.pad_begin[d] != 0 || g.in[d] != g.out[d]) return false;
  return true;
}

// Output positions [p, p + len) that share their two outer coordinates (one
// run along the innermost output axis, starting at o2).
struct Run {
  int64_t p, len, o0, o1, o2;
};

// The runs of positions [p0, p0 + count) in the flattened output grid.
std::vector<Run> runs_of(const ir::ConvGeometry& g, int64_t p0, int64_t count) {
  std::vector<Run> runs;
  for (int64_t p = 0; p < count;) {
    const int64_t q = p0 + p, o2 = q % g.out[2], rest = q / g.out[2];
    const int64_t len = std::min(count - p, g.out[2] - o2);
    runs.push_back({p, len, rest / g.out[1], rest % g.out[1], o2});
    p += len;
  }
  return runs;
}

// The im2col block of output positions [p0, p0 + count) of group `grp` of
// image n: the value of row (c, k0, k1, k2) at position p is x − x_zero (0 in
// the padding) and goes to col[row_offset(row) + p * step]. Centered 8-bit
// values lie in [-255, 255], so int16 holds them exactly. Along a run the
// input column is linear in the position, so the in-image part of each run
// is found once and copied without per-element bounds checks.
template <typename T, typename RowOffset>
void im2col_block(const ir::ConvGeometry& g, const Layout& l, const T* x, int32_t x_zero, int64_t n, int64_t grp,
                  const std::vector<Run>& runs, RowOffset row_offset, int64_t step, int16_t* col) {
  const T* xg = x + (n * g.in_channels + grp * l.cg) * l.in_plane;
  const int64_t s2 = g.stride[2];
  for (int64_t c = 0; c < l.cg; ++c) {
    const T* xc = xg + c * l.in_plane;
    for (int64_t k0 = 0; k0 < g.kernel[0]; ++k0)
      for (int64_t k1 = 0; k1 < g.kernel[1]; ++k1)
        for (int64_t k2 = 0; k2 < g.kernel[2]; ++k2) {
          const int64_t row = ((c * g.kernel[0] + k0) * g.kernel[1] + k1) * g.kernel[2] + k2;
          int16_t* dst = col + row_offset(row);
          for (const Run& r : runs) {
            int16_t* d = dst + r.p * step;
            const int64_t i0 = r.o0 * g.stride[0] - g.pad_begin[0] + k0 * g.dilation[0];
            const int64_t i1 = r.o1 * g.stride[1] - g.pad_begin[1] + k1 * g.dilation[1];
            // Input column of the run's j-th position: base + j·s2; in the image for j in [lo, hi).
            const int64_t base = r.o2 * s2 - g.pad_begin[2] + k2 * g.dilation[2];
            int64_t lo = 0, hi = 0;
            if (i0 >= 0 && i0 < g.in[0] && i1 >= 0 && i1 < g.in[1] && base + (r.len - 1) * s2 >= 0 && base < g.in[2]) {
              lo = base >= 0 ? 0 : (-base + s2 - 1) / s2;
              hi = std::min(r.len, (g.in[2] - 1 - base) / s2 + 1);
            }
            lo = std::min(lo, hi);
            for (int64_t j = 0; j < lo; ++j) d[j * step] = 0;
            if (hi > lo) {
              const T* xr = xc + (i0 * g.in[1] + i1) * g.in[2];
              if (step == 1 && s2 == 1)  // contiguous both sides: the compiler vectorises it
                for (int64_t j = lo; j < hi; ++j) d[j] = static_cast<int16_t>(xr[base + j] - x_zero);
              else
                for (int64_t j = lo; j < hi; ++j) d[j * step] = static_cast<int16_t>(xr[base + j * s2] - x_zero);
            }
            for (int64_t j = hi; j < r.len; ++j) d[j * step] = 0;
          }
        }
  }
}

#ifdef ETCH_X86_SIMD
#pragma GCC push_options
#pragma GCC target("avx2")
// acc[i][p] = Σ_kk madd(col[kk][p], w[i][kk]) for MB output channels and
// positions [0, count) rounded up to 16. col holds K in pairs: element
// (kk, p, j) = im2col row 2·kk + j at position p; w[i][kk] packs channel i's
// weights of rows 2·kk and 2·kk + 1 as two int16. vpmaddwd's pair sums are
// exact (|2·255·255| < 2^31) and the int32 adds wrap, as the reference's.
template <int MB>
void madd_rows(int64_t kpairs, const int16_t* col, const int32_t* const* w, int64_t count, int32_t* const* acc) {
  for (int64_t p = 0; p < count; p += 16) {
    __m256i a[MB][2];
    for (int i = 0; i < MB; ++i) a[i][0] = a[i][1] = _mm256_setzero_si256();
    const int16_t* c = col + 2 * p;
    for (int64_t kk = 0; kk < kpairs; ++kk, c += 2 * kBlock) {
      const __m256i x0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(c));
      const __m256i x1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(c + 16));
#pragma GCC unroll 8
      for (int i = 0; i < MB; ++i) {
        const __m256i wv = _mm256_set1_epi32(w[i][kk]);
        a[i][0] = _mm256_add_epi32(a[i][0], _mm256_madd_epi16(x0, wv));
        a[i][1] = _mm256_add_epi32(a[i][1], _mm256_madd_epi16(x1, wv));
      }
    }
    for (int i = 0; i < MB; ++i) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(acc[i] + p), a[i][0]);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(acc[i] + p + 8), a[i][1]);
    }
  }
}
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vnni")
// madd_rows on AVX-512 VNNI: vpdpwssd adds both products of a pair to the
// accumulator in one instruction (the pair sum is exact and the add wraps,
// as vpmaddwd + vpaddd do), on 16 positions per register; positions [0,
// count) rounded up to 32.
template <int MB>
void dpwssd_rows(int64_t kpairs, const int16_t* col, const int32_t* const* w, int64_t count, int32_t* const* acc) {
  for (int64_t p = 0; p < count; p += 32) {
    __m512i a[MB][2];
    for (int i = 0; i < MB; ++i) a[i][0] = a[i][1] = _mm512_setzero_si512();
    const int16_t* c = col + 2 * p;
    for (int64_t kk = 0; kk < kpairs; ++kk, c += 2 * kBlock) {
      const __m512i x0 = _mm512_loadu_si512(c);
      const __m512i x1 = _mm512_loadu_si512(c + 32);
#pragma GCC unroll 8
      for (int i = 0; i < MB; ++i) {
        const __m512i wv = _mm512_set1_epi32(w[i][kk]);
        a[i][0] = _mm512_dpwssd_epi32(a[i][0], x0, wv);
        a[i][1] = _mm512_dpwssd_epi32(a[i][1], x1, wv);
      }
    }
    for (int i = 0; i < MB; ++i) {
      _mm512_storeu_si512(acc[i] + p, a[i][0]);
      _mm512_storeu_si512(acc[i] + p + 16, a[i][1]);
    }
  }
}
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2")
// The paired layout the madd kernels read: im2col rows 2·kk and 2·kk + 1
// interleaved as int16 pairs at col + kk·2·kBlock, sixteen positions at a
// time (an odd K's last row pairs with zeros). Row r is `count` values at
// row(r): 8-bit inputs (centered here on x_zero) or centered int16.
template <typename T, typename RowPtr>
void pair_rows(RowPtr row, int64_t k_total, int32_t x_zero, int64_t count, int16_t* col) {
  const __m256i z = _mm256_set1_epi16(static_cast<int16_t>(x_zero));
  const int32_t zero = std::is_same_v<T, int16_t> ? 0 : x_zero;
  for (int64_t r = 0; r < k_total; r += 2) {
    const T* a = row(r);
    const T* b = r + 1 < k_total ? row(r + 1) : nullptr;
    int16_t* dst = col + r / 2 * 2 * kBlock;
    int64_t p = 0;
    for (; p + 16 <= count; p += 16) {
      const __m256i va = centered16(a + p, z), vb = b ? centered16(b + p, z) : _mm256_setzero_si256();
      const __m256i lo = _mm256_unpacklo_epi16(va, vb), hi = _mm256_unpackhi_epi16(va, vb);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + 2 * p), _mm256_permute2x128_si256(lo, hi, 0x20));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + 2 * p + 16), _mm256_permute2x128_si256(lo, hi, 0x31));
    }
    for (; p < count; ++p) {
      dst[2 * p] = static_cast<int16_t>(a[p] - zero);
      dst[2 * p + 1] = b ? static_cast<int16_t>(b[p] - zero) : int16_t{0};
    }
  }
}
#pragma GCC pop_options

template <int MB>
void some_madd_rows(int mb, int64_t kpairs, const int16_t* col, const int32_t* const* w, int64_t count,
                    int32_t* const* acc) {
  if constexpr (MB > 0) {
    if (mb == MB)
      return etch::cpu_has_avx512_vnni() ? dpwssd_rows<MB>(kpairs, col, w, count, acc)
                                         : madd_rows<MB>(kpairs, col, w, count, acc);
    some_madd_rows<MB - 1>(mb, kpairs, col, w, count, acc);
  }
}

// Each output channel's weights as int16 pairs (k, k + 1) in one int32, the
// operand of vpmaddwd / vpdpwssd; an odd K's last pair has a zero high half.
std::vector<int32_t> weight_pairs(const std::vector<int32_t>& w_centered, int64_t out_channels, int64_t k_total) {
  const int64_t kpairs = (k_total + 1) / 2;
  std::vector<int32_t> wpairs(static_cast<size_t>(out_channels * kpairs), 0);
  for (int64_t m = 0; m < out_channels; ++m)
    for (int64_t k = 0; k < k_total; ++k) {
      const auto half = static_cast<uint32_t>(static_cast<uint16_t>(w_centered[m * k_total + k]));
      uint32_t& pair = reinterpret_cast<uint32_t&>(wpairs[m * kpairs + k / 2]);
      pair |= k % 2 == 0 ? half : half << 16;
    }
  return wpairs;
}

template <typename T>
void integer_conv_avx2(const ir::ConvGeometry& g, const T* x, int32_t x_zero, const std::vector<int32_t>& w_centered,
                       const IntConvEpilogue& epilogue, IntConvWeightCache* cache) {
  constexpr int kRows = 4;  // 8 accumulators + 2 inputs + 1 weight of 16 registers
  const Layout l = check_and_measure(g, w_centered);
  if (l.out_plane == 0 || g.batch == 0 || g.out_channels == 0) return;
  const int64_t kpairs = (l.k_total + 1) / 2;
  std::vector<int32_t> own_pairs;
  std::vector<int32_t>& wpairs = cache ? cache->avx2_pairs : own_pairs;
  if (wpairs.empty()) wpairs = weight_pairs(w_centered, g.out_channels, l.k_total);
  const bool pointwise = unit_windows(g);
  const int64_t grain = task_grain(l);
  parallel_for(g.batch * g.group * l.blocks, grain, [&](int64_t tb, int64_t te) {
    // Zeroed once: an odd K's last row and positions past `count` stay
    // defined (their sums are computed and never used).
    std::vector<int16_t> col(static_cast<size_t>(kpairs * 2 * kBlock), 0);
    // The general case builds each im2col row contiguously first, then pairs
    // the rows in registers.
    std::vector<int16_t> rows(pointwise ? 0 : static_cast<size_t>(l.k_total * kBlock));
    std::vector<int32_t> acc(static_cast<size_t>(kRows * kBlock));
    for (int64_t t = tb; t < te; ++t) {
      const int64_t blk = t % l.blocks, grp = (t / l.blocks) % g.group, n = t / (l.blocks * g.group);
      const int64_t p0 = blk * kBlock, count = std::min(kBlock, l.out_plane - p0);
      if (pointwise) {
        // A 1x1 stride-1 block is a contiguous run of every input plane.
        const T* xb = x + (n * g.in_channels + grp * l.cg) * l.in_plane + p0;
        pair_rows<T>([&](int64_t r) { return xb + r * l.in_plane; }, l.k_total, x_zero, count, col.data());
      } else {
        im2col_block(
            g, l, x, x_zero, n, grp, runs_of(g, p0, count), [](int64_t row) { return row * kBlock; }, 1, rows.data());
        pair_rows<int16_t>([&](int64_t r) { return rows.data() + r * kBlock; }, l.k_total, 0, count, col.data());
      }
      for (int64_t mi = 0; mi < l.mg; mi += kRows) {
        const int mb = static_cast<int>(std::min<int64_t>(kRows, l.mg - mi));
        const int32_t* w[kRows];
        int32_t* a[kRows];
        for (int i = 0; i < mb; ++i) {
          w[i] = wpairs.data() + (grp * l.mg + mi + i) * kpairs;
          a[i] = acc.data() + i * kBlock;
        }
        some_madd_rows<kRows>(mb, kpairs, col.data(), w, count, a);
        for (int i = 0; i < mb; ++i) epilogue(n, grp * l.mg + mi + i, p0, count, a[i]);
      }
    }
  });
}
#endif

}  // namespace

template <typename T>
void integer_conv_reference(const ir::ConvGeometry& g, const T* x, int32_t x_zero,
                            const std::vector<int32_t>& w_centered, const IntConvEpilogue& epilogue) {
  const Layout l = check_and_measure(g, w_centered);
  if (l.out_plane == 0 || g.batch == 0 || g.out_channels == 0) return;
  const int64_t grain = task_grain(l);
  parallel_for(g.batch * g.group * l.blocks, grain, [&](int64_t tb, int64_t te) {
    std::vector<int16_t> col(static_cast<size_t>(l.k_total * kBlock));
    std::vector<uint32_t> acc(kBlock);  // unsigned: wrap-around is defined
    std::vector<int32_t> acc_out(kBlock);
    std::vector<int64_t> o0(kBlock), o1(kBlock), o2(kBlock);
    for (int64_t t = tb; t < te; ++t) {
      const int64_t blk = t % l.blocks, grp = (t / l.blocks) % g.group, n = t / (l.blocks * g.group);
      const int64_t p0 = blk * kBlock, count = std::min(kBlock, l.out_plane - p0);
      // im2col: row (c, k0, k1, k2), column p, one bounds check per element.
      for (int64_t p = 0; p < count; ++p) {
        const int64_t q = p0 + p;
        o2[p] = q % g.out[2];
        o1[p] = (q / g.out[2]) % g.out[1];
        o0[p] = q / (g.out[2] * g.out[1]);
      }
      const T* xg = x + (n * g.in_channels + grp * l.cg) * l.in_plane;
      for (int64_t c = 0; c < l.cg; ++c) {
        const T* xc = xg + c * l.in_plane;
        for (int64_t k0 = 0; k0 < g.kernel[0]; ++k0)
          for (int64_t k1 = 0; k1 < g.kernel[1]; ++k1)
            for (int64_t k2 = 0; k2 < g.kernel[2]; ++k2) {
              const int64_t row = ((c * g.kernel[0] + k0) * g.kernel[1] + k1) * g.kernel[2] + k2;
              int16_t* dst = col.data() + row * kBlock;
              for (int64_t p = 0; p < count; ++p) {
                const int64_t i0 = o0[p] * g.stride[0] - g.pad_begin[0] + k0 * g.dilation[0];
                const int64_t i1 = o1[p] * g.stride[1] - g.pad_begin[1] + k1 * g.dilation[1];
                const int64_t i2 = o2[p] * g.stride[2] - g.pad_begin[2] + k2 * g.dilation[2];
                const bool inside = i0 >= 0 && i0 < g.in[0] && i1 >= 0 && i1 < g.in[1] && i2 >= 0 && i2 < g.in[2];
                dst[p] = inside ? static_cast<int16_t>(xc[(i0 * g.in[1] + i1) * g.in[2] + i2] - x_zero) : int16_t{0};
              }
            }
      }
      for (int64_t mi = 0; mi < l.mg; ++mi) {
        const int64_t m = grp * l.mg + mi;
        const int32_t* wrow = w_centered.data() + m * l.k_total;
        std::fill(acc.begin(), acc.begin() + count, 0u);
        for (int64_t k = 0; k < l.k_total; ++k) {
          const int32_t wv = wrow[k];
          if (wv == 0) continue;
          const int16_t w16 = static_cast<int16_t>(wv);
          const int16_t* src = col.data() + k * kBlock;
          uint32_t* a = acc.data();
          for (int64_t p = 0; p < count; ++p) a[p] += static_cast<uint32_t>(int32_t{w16} * src[p]);
        }
        for (int64_t p = 0; p < count; ++p) acc_out[p] = static_cast<int32_t>(acc[p]);
        epilogue(n, m, p0, count, acc_out.data());
      }
    }
  });
}

template <typename T>
void integer_conv(const ir::ConvGeometry& g, const T* x, int32_t x_zero, const std::vector<int32_t>& w_centered,
                  const IntConvEpilogue& epilogue, IntConvWeightCache* cache) {
  if (integer_fast_paths()) {
    if (integer_depthwise_supported(g)) return integer_depthwise(g, x, x_zero, w_centered, epilogue);
    IntConvWeightCache own;
    IntConvWeightCache& c = cache ? *cache : own;
    if (!c.onednn_supported) c.onednn_supported = onednn_integer_conv_supported(g, w_centered);
    if (*c.onednn_supported && onednn_integer_conv(g, x, x_zero, w_centered, epilogue, c)) return;
#ifdef ETCH_X86_SIMD
    if (cpu_has_avx2_fma()) return integer_conv_avx2(g, x, x_zero, w_centered, epilogue, cache);
#endif
  }
  integer_conv_reference(g, x, x_zero, w_centered, epilogue);
}

template void integer_conv_reference<uint8_t>(const ir::ConvGeometry&, const uint8_t*, int32_t,
                                              const std::vector<int32_t>&, const IntConvEpilogue&);
template void integer_conv_reference<int8_t>(const ir::ConvGeometry&, const int8_t*, int32_t,
                                             const std::vector<int32_t>&, const IntConvEpilogue&);
template void integer_conv<uint8_t>(const ir::ConvGeometry&, const uint8_t*, int32_t, const std::vector<int32_t>&,
                                    const IntConvEpilogue&, IntConvWeightCache*);
template void integer_conv<int8_t>(const ir::ConvGeometry&, const int8_t*, int32_t, const std::vector<int32_t>&,
                                   const IntConvEpilogue&, IntConvWeightCache*);

}  // namespace etch::runtime
