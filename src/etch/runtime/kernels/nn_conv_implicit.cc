#include "etch/runtime/kernels/nn_conv_implicit.h"

#include <algorithm>
#include <vector>

#include "etch/core/thread_pool.h"

namespace etch::runtime {

bool implicit_conv_supported(const Geom3& g) {
  // Rows padded by more than an eighth cost more than the column matrix
  // saves: the fixture's 14-wide 3×3 layer (16 columns per row) ran 5% slower
  // than im2col, its 28-wide one 8% faster, and a 56-wide 32-channel layer
  // 1.6× faster (bench_conv_layers, bench_runtime).
  const int64_t ow = g.out[2], padding = (g.k[2] - 1) * g.d[2];
  return g.in[0] == 1 && g.out[0] == 1 && g.k[0] == 1 && g.s[1] == 1 && g.s[2] == 1 && 8 * padding <= ow &&
         direct_gemm_preferred();
}

void implicit_conv(const Geom3& g, int64_t batch, int64_t groups, int64_t cg, int64_t mg, const float* x,
                   const float* w, const PointwiseEpilogue& e, int64_t band_rows, const ImplicitConvSink& sink) {
  const int64_t ih_n = g.in[1], iw_n = g.in[2], oh_n = g.out[1], ow_n = g.out[2];
  const int64_t kh_n = g.k[1], kw_n = g.k[2], dh = g.d[1], dw = g.d[2], ph = g.p[1], pw = g.p[2];
  // The padded plane holds every row and column a tap reaches (stride 1).
  const int64_t hp = oh_n + (kh_n - 1) * dh, wp = ow_n + (kw_n - 1) * dw, plane = hp * wp;
  const int64_t planes = batch * groups * cg, kc = cg * kh_n * kw_n;
  // The last plane's last rows are read (kw_n − 1)·dw columns past its end by
  // the dropped columns. Kept across calls (its size varies little).
  thread_local std::vector<float> pad_buf;
  const size_t pad_n = static_cast<size_t>(planes * plane + (kw_n - 1) * dw + 16);
  if (pad_buf.size() < pad_n) pad_buf.resize(pad_n);
  float* pad = pad_buf.data();
  std::fill(pad + planes * plane, pad + pad_n, 0.0f);
  // With stride 1 the padded row is exactly pw + iw_n + the right padding wide.
  parallel_for(planes, std::max<int64_t>(1, (int64_t{1} << 14) / plane), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p)
      copy_rows_padded(x + p * ih_n * iw_n, ih_n, iw_n, -ph, hp, pw, wp, pad + p * plane);
  });
  // Row (c, kh, kw) of the column matrix, from a band's first padded row.
  std::vector<int64_t> offsets(static_cast<size_t>(kc));
  for (int64_t c = 0, k = 0; c < cg; ++c)
    for (int64_t kh = 0; kh < kh_n; ++kh)
      for (int64_t kw = 0; kw < kw_n; ++kw, ++k) offsets[static_cast<size_t>(k)] = c * plane + kh * dh * wp + kw * dw;
  const int64_t band = std::clamp<int64_t>(band_rows, 1, oh_n), bands = (oh_n + band - 1) / band;
  parallel_for(batch * groups * bands, 1, [&](int64_t i0, int64_t i1) {
    thread_local std::vector<float> acc;
    for (int64_t it = i0; it < i1; ++it) {
      const int64_t b = it % bands, ng = it / bands, gi = ng % groups, n = ng / groups;
      const int64_t r0 = b * band, r1 = std::min(oh_n, r0 + band), len = (r1 - r0) * wp;
      const float* base = pad + (n * groups + gi) * cg * plane + r0 * wp;
      if (acc.size() < static_cast<size_t>(mg * len)) acc.resize(static_cast<size_t>(mg * len));
      PointwiseEpilogue eg = e;
      if (eg.bias) eg.bias += gi * mg;
      direct_gemm_offsets(mg, kc, len, w + gi * mg * kc, base, offsets.data(), eg, acc.data(), len);
      sink(n, gi, r0, r1, acc.data(), wp);
    }
  });
}

}  // namespace etch::runtime
