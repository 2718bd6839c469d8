#include "etch/runtime/kernels/nn_conv_implicit.h"

#include <algorithm>
#include <vector>

#include "etch/core/thread_pool.h"

namespace etch::runtime {

namespace {

// The phase grid of a window along one axis: output count o, kernel k,
// stride st, dilation d. Phase planes are o + ((k - 1)·d) / st long.
int64_t phase_len(int64_t o, int64_t k, int64_t st, int64_t d) { return o + (k - 1) * d / st; }

// Rows [0, hq) of phase (a, b) of an ih_n × iw_n plane padded by ph rows and
// pw columns: row i is padded row i·sh + a, column j padded column j·sw + b;
// zeros outside the plane. Every element of the hq × wq buffer is written.
void copy_phase(const float* plane, int64_t ih_n, int64_t iw_n, int64_t ph, int64_t pw, int64_t sh, int64_t sw,
                int64_t a, int64_t b, int64_t hq, int64_t wq, float* buf) {
  if (sh == 1 && sw == 1) return copy_rows_padded(plane, ih_n, iw_n, -ph, hq, pw, wq, buf);
  // Columns j in [j0, j1) read the plane (iw = j·sw + b − pw in [0, iw_n)).
  const int64_t j0 = std::min(wq, std::max<int64_t>(0, (pw - b + sw - 1) / sw));
  const int64_t j1 = std::max(j0, std::min(wq, iw_n - 1 + pw - b < 0 ? 0 : (iw_n - 1 + pw - b) / sw + 1));
  for (int64_t i = 0; i < hq; ++i) {
    float* row = buf + i * wq;
    const int64_t ih = i * sh + a - ph;
    if (ih < 0 || ih >= ih_n) {
      std::fill(row, row + wq, 0.0f);
      continue;
    }
    const float* src = plane + ih * iw_n + b - pw;
    std::fill(row, row + j0, 0.0f);
    // Stride 2, the common case, with a constant stride the compiler vectorizes.
    if (sw == 2) {
      for (int64_t j = j0; j < j1; ++j) row[j] = src[2 * j];
    } else {
      for (int64_t j = j0; j < j1; ++j) row[j] = src[j * sw];
    }
    std::fill(row + j1, row + wq, 0.0f);
  }
}

}  // namespace

bool implicit_conv_fits(const Geom3& g) {
  // Rows padded by more than an eighth cost more than the column matrix
  // saves: the fixture's 14-wide 3×3 layer (16 columns per row) ran 5% slower
  // than im2col, its 28-wide one 8% faster, and a 56-wide 32-channel layer
  // 1.6× faster (bench_conv_layers, bench_runtime).
  const int64_t ow = g.out[2], extra = (g.k[2] - 1) * g.d[2] / g.s[2];
  return g.in[0] == 1 && g.out[0] == 1 && g.k[0] == 1 && 8 * extra <= ow;
}

bool implicit_conv_supported(const Geom3& g) { return implicit_conv_fits(g) && direct_gemm_preferred(); }

namespace {

// The phase planes of x and the offsets of the column matrix's rows in them,
// for both entry points below.
struct PhasedInput {
  int64_t wq = 0, band_stride = 0;  // phase row width; the floats between two groups' planes
  const float* planes = nullptr;
  std::vector<int64_t> offsets;  // row (c, kh, kw) of the column matrix, from a band's first phase row
};

PhasedInput phased_input(const Geom3& g, int64_t planes, int64_t cg, const float* x) {
  const int64_t ih_n = g.in[1], iw_n = g.in[2], oh_n = g.out[1], ow_n = g.out[2];
  const int64_t kh_n = g.k[1], kw_n = g.k[2], dh = g.d[1], dw = g.d[2], ph = g.p[1], pw = g.p[2];
  const int64_t sh = g.s[1], sw = g.s[2], phases = sh * sw;
  // Each phase plane holds every row and column its taps reach.
  const int64_t hq = phase_len(oh_n, kh_n, sh, dh), wq = phase_len(ow_n, kw_n, sw, dw), plane = hq * wq;
  // The last phase plane's last rows are read up to (kw_n − 1)·dw / sw
  // columns past its end by the dropped columns. Kept across calls (its size
  // varies little).
  thread_local std::vector<float> pad_buf;
  const size_t pad_n = static_cast<size_t>(planes * phases * plane + wq + 16);
  if (pad_buf.size() < pad_n) pad_buf.resize(pad_n);
  float* pad = pad_buf.data();
  std::fill(pad + planes * phases * plane, pad + pad_n, 0.0f);
  parallel_for(planes * phases, std::max<int64_t>(1, (int64_t{1} << 14) / plane), [&](int64_t q0, int64_t q1) {
    for (int64_t q = q0; q < q1; ++q) {
      const int64_t p = q / phases, a = q % phases / sw, b = q % sw;
      copy_phase(x + p * ih_n * iw_n, ih_n, iw_n, ph, pw, sh, sw, a, b, hq, wq, pad + q * plane);
    }
  });
  PhasedInput in{wq, cg * phases * plane, pad, std::vector<int64_t>(static_cast<size_t>(cg * kh_n * kw_n))};
  for (int64_t c = 0, k = 0; c < cg; ++c)
    for (int64_t kh = 0; kh < kh_n; ++kh)
      for (int64_t kw = 0; kw < kw_n; ++kw, ++k) {
        const int64_t phase = kh * dh % sh * sw + kw * dw % sw;
        in.offsets[static_cast<size_t>(k)] = (c * phases + phase) * plane + kh * dh / sh * wq + kw * dw / sw;
      }
  return in;
}

}  // namespace

namespace {

// f(ng, gi, r0, r1, e) for every band of output rows [r0, r1) of image-group
// ng = n·groups + gi, in parallel, with e's bias moved to group gi.
template <class F>
void for_each_band(const Geom3& g, int64_t batch, int64_t groups, int64_t mg, int64_t band_rows,
                   const PointwiseEpilogue& e, const F& f) {
  const int64_t oh_n = g.out[1];
  const int64_t band = std::clamp<int64_t>(band_rows, 1, oh_n), bands = (oh_n + band - 1) / band;
  parallel_for(batch * groups * bands, 1, [&](int64_t i0, int64_t i1) {
    for (int64_t it = i0; it < i1; ++it) {
      const int64_t b = it % bands, ng = it / bands, gi = ng % groups;
      PointwiseEpilogue eg = e;
      if (eg.bias) eg.bias += gi * mg;
      f(ng, gi, b * band, std::min(oh_n, (b + 1) * band), eg);
    }
  });
}

}  // namespace

void implicit_conv(const Geom3& g, int64_t batch, int64_t groups, int64_t cg, int64_t mg, const float* x,
                   const float* w, const PointwiseEpilogue& e, int64_t band_rows, const ImplicitConvSink& sink) {
  const int64_t kc = cg * g.k[1] * g.k[2];
  const PhasedInput in = phased_input(g, batch * groups * cg, cg, x);
  for_each_band(g, batch, groups, mg, band_rows, e,
                [&](int64_t ng, int64_t gi, int64_t r0, int64_t r1, const PointwiseEpilogue& eg) {
                  thread_local std::vector<float> acc;
                  const int64_t len = (r1 - r0) * in.wq;
                  if (acc.size() < static_cast<size_t>(mg * len)) acc.resize(static_cast<size_t>(mg * len));
                  direct_gemm_offsets(mg, kc, len, w + gi * mg * kc, in.planes + ng * in.band_stride + r0 * in.wq,
                                      in.offsets.data(), eg, acc.data(), len);
                  sink(ng / groups, gi, r0, r1, acc.data(), in.wq);
                });
}

void implicit_conv_rows(const Geom3& g, int64_t batch, int64_t groups, int64_t cg, int64_t mg, const float* x,
                        const float* w, const PointwiseEpilogue& e, int64_t band_rows, float* y) {
  const int64_t ow_n = g.out[2], plane = g.out[1] * ow_n, kc = cg * g.k[1] * g.k[2];
  const PhasedInput in = phased_input(g, batch * groups * cg, cg, x);
  for_each_band(g, batch, groups, mg, band_rows, e,
                [&](int64_t ng, int64_t gi, int64_t r0, int64_t r1, const PointwiseEpilogue& eg) {
                  for (int64_t r = r0; r < r1; ++r)
                    direct_gemm_offsets(mg, kc, ow_n, w + gi * mg * kc, in.planes + ng * in.band_stride + r * in.wq,
                                        in.offsets.data(), eg, y + ng * mg * plane + r * ow_n, plane);
                });
}

}  // namespace etch::runtime
