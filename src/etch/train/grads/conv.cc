// Conv gradients (1-3 spatial dims, groups incl. depthwise, strides, pads,
// dilations, auto_pad) via im2col / col2im and single-threaded sgemm.
// Parallel over the batch: chunk boundaries depend only on N, each chunk keeps
// its own partial weight/bias gradient, and partials are summed in chunk order,
// so the bytes do not depend on the thread count.
#include <cblas.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "etch/core/thread_pool.h"
#include "etch/ir/ops/nn_window.h"
#include "etch/runtime/kernels/gemm.h"
#include "etch/train/grads/grad_util.h"

namespace etch::train::grads {
namespace {

// Geometry with spatial dims padded to 3 (leading dims of size 1).
struct Geom {
  int64_t N = 0, C = 0, M = 0, G = 1, Cg = 0, Mg = 0;
  int64_t in[3] = {1, 1, 1}, k[3] = {1, 1, 1}, s[3] = {1, 1, 1}, d[3] = {1, 1, 1}, pb[3] = {0, 0, 0},
          out[3] = {1, 1, 1};
  int64_t K = 0;           // rows of a group's column matrix: Cg * prod(k)
  int64_t P = 0;           // output positions: prod(out)
  int64_t Sin = 0;         // input positions: prod(in)
  bool pointwise = false;  // 1x1, stride 1, no pad: the column matrix is the input
};

Geom make_geom(const GradContext& c) {
  const Shape& xs = c.in(0).shape();
  const Shape& ws = c.in(1).shape();
  const int nd = static_cast<int>(xs.size()) - 2;
  ETCH_REQUIRE(nd >= 1 && nd <= 3, Unsupported)
      << c.node.describe() << ": training supports Conv with 1 to 3 spatial dims, input has " << nd;
  const ir::Window w = ir::resolve_window(c.node, std::vector<int64_t>(xs.begin() + 2, xs.end()),
                                          std::vector<int64_t>(ws.begin() + 2, ws.end()), false);
  Geom g;
  g.N = xs[0];
  g.C = xs[1];
  g.M = ws[0];
  g.G = c.node.attr_int("group", 1);
  g.Cg = g.C / g.G;
  g.Mg = g.M / g.G;
  const int off = 3 - nd;
  for (int i = 0; i < nd; ++i) {
    g.in[off + i] = w.in[i];
    g.k[off + i] = w.kernel[i];
    g.s[off + i] = w.strides[i];
    g.d[off + i] = w.dilations[i];
    g.pb[off + i] = w.pad_begin[i];
    g.out[off + i] = w.out[i];
  }
  g.K = g.Cg * g.k[0] * g.k[1] * g.k[2];
  g.P = g.out[0] * g.out[1] * g.out[2];
  g.Sin = g.in[0] * g.in[1] * g.in[2];
  g.pointwise = g.K == g.Cg && g.P == g.Sin;
  for (int i = 0; i < 3; ++i) g.pointwise = g.pointwise && g.s[i] == 1 && g.pb[i] == 0;
  return g;
}

// Valid output range [lo, hi) along one dim for kernel offset `koff`: those o
// with 0 <= o*s - pb + koff < in.
inline void valid_range(int64_t out, int64_t s, int64_t pb, int64_t koff, int64_t in, int64_t& lo, int64_t& hi) {
  const int64_t start = koff - pb;  // input coord at o = 0
  lo = start >= 0 ? 0 : (-start + s - 1) / s;
  hi = in - start <= 0 ? 0 : (in - start + s - 1) / s;
  hi = std::min(hi, out);
  lo = std::min(lo, hi);
}

// Walks (row of the column matrix, output position) pairs with their input
// element; f(col_row_ptr_offset, x_offset, count, x_stride) for each run of
// contiguous output positions along the last dim.
template <typename F>
void for_each_run(const Geom& g, F&& f) {
  const int64_t kk = g.k[0] * g.k[1] * g.k[2];
  for (int64_t ch = 0; ch < g.Cg; ++ch)
    for (int64_t k0 = 0; k0 < g.k[0]; ++k0)
      for (int64_t k1 = 0; k1 < g.k[1]; ++k1)
        for (int64_t k2 = 0; k2 < g.k[2]; ++k2) {
          const int64_t row = ch * kk + (k0 * g.k[1] + k1) * g.k[2] + k2;
          int64_t lo0, hi0, lo1, hi1, lo2, hi2;
          valid_range(g.out[0], g.s[0], g.pb[0], k0 * g.d[0], g.in[0], lo0, hi0);
          valid_range(g.out[1], g.s[1], g.pb[1], k1 * g.d[1], g.in[1], lo1, hi1);
          valid_range(g.out[2], g.s[2], g.pb[2], k2 * g.d[2], g.in[2], lo2, hi2);
          f(row, -1, 0, 0);  // marks a new row (lets im2col zero it)
          if (lo2 >= hi2) continue;
          for (int64_t o0 = lo0; o0 < hi0; ++o0) {
            const int64_t i0 = o0 * g.s[0] - g.pb[0] + k0 * g.d[0];
            for (int64_t o1 = lo1; o1 < hi1; ++o1) {
              const int64_t i1 = o1 * g.s[1] - g.pb[1] + k1 * g.d[1];
              const int64_t i2 = lo2 * g.s[2] - g.pb[2] + k2 * g.d[2];
              const int64_t col = (o0 * g.out[1] + o1) * g.out[2] + lo2;
              const int64_t xo = ch * g.Sin + (i0 * g.in[1] + i1) * g.in[2] + i2;
              f(row * g.P + col, xo, hi2 - lo2, g.s[2]);
            }
          }
        }
}

// col [K, P] from one group of one image x [Cg, Sin].
void im2col(const Geom& g, const float* x, float* col) {
  for_each_run(g, [&](int64_t pos, int64_t xo, int64_t n, int64_t st) {
    if (xo < 0) {
      std::memset(col + pos * g.P, 0, sizeof(float) * g.P);
      return;
    }
    float* dst = col + pos;
    const float* src = x + xo;
    if (st == 1)
      std::memcpy(dst, src, sizeof(float) * n);
    else
      for (int64_t i = 0; i < n; ++i) dst[i] = src[i * st];
  });
}

// dx [Cg, Sin] += col2im(dcol [K, P]).
void col2im(const Geom& g, const float* dcol, float* dx) {
  for_each_run(g, [&](int64_t pos, int64_t xo, int64_t n, int64_t st) {
    if (xo < 0) return;
    const float* src = dcol + pos;
    float* dst = dx + xo;
    for (int64_t i = 0; i < n; ++i) dst[i * st] += src[i];
  });
}

void conv_grad(GradContext& c) {
  runtime::blas_setup();
  const Geom g = make_geom(c);
  const bool want_x = c.wants(0), want_w = c.wants(1), want_b = c.wants(2) && c.inputs[2];
  const float* x = c.in(0).data<float>();
  const float* w = c.in(1).data<float>();
  const float* dy = c.gout().data<float>();
  const int64_t wsize = g.M * g.K;
  Tensor dx;
  if (want_x) dx = Tensor(DType::F32, c.in(0).shape());
  float* dxp = want_x ? dx.data<float>() : nullptr;

  const int64_t grain = std::max<int64_t>(1, (g.N + 7) / 8);
  const int64_t chunks = (g.N + grain - 1) / grain;
  // Per chunk: partial dW [M*K] then partial dB [M].
  const int64_t psize = wsize + g.M;
  std::unique_ptr<float[]> partial(new float[(want_w || want_b) ? chunks * psize : 1]());
  const int64_t colsize = g.K * g.P;
  parallel_for(g.N, grain, [&](int64_t n0, int64_t n1) {
    float* pw = partial.get() + (n0 / grain) * psize;
    float* pb = pw + wsize;
    std::unique_ptr<float[]> col(g.pointwise || !want_w ? nullptr : new float[colsize]);
    std::unique_ptr<float[]> dcol(g.pointwise || !want_x ? nullptr : new float[colsize]);
    for (int64_t n = n0; n < n1; ++n) {
      for (int64_t gi = 0; gi < g.G; ++gi) {
        const float* xg = x + (n * g.C + gi * g.Cg) * g.Sin;
        const float* dyg = dy + (n * g.M + gi * g.Mg) * g.P;
        const float* wg = w + gi * g.Mg * g.K;
        if (want_w) {
          const float* cm = xg;
          if (!g.pointwise) {
            im2col(g, xg, col.get());
            cm = col.get();
          }
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, g.Mg, g.K, g.P, 1.0f, dyg, g.P, cm, g.P, 1.0f,
                      pw + gi * g.Mg * g.K, g.K);
        }
        if (want_x) {
          float* dxg = dxp + (n * g.C + gi * g.Cg) * g.Sin;
          if (g.pointwise) {
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, g.K, g.P, g.Mg, 1.0f, wg, g.K, dyg, g.P, 0.0f, dxg,
                        g.P);
          } else {
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, g.K, g.P, g.Mg, 1.0f, wg, g.K, dyg, g.P, 0.0f,
                        dcol.get(), g.P);
            col2im(g, dcol.get(), dxg);
          }
        }
      }
      if (want_b)
        for (int64_t m = 0; m < g.M; ++m) {
          const float* row = dy + (n * g.M + m) * g.P;
          float s = 0.0f;
          for (int64_t p = 0; p < g.P; ++p) s += row[p];
          pb[m] += s;
        }
    }
  });
  if (want_x) c.input_grads[0] = std::move(dx);
  if (want_w || want_b) {
    Tensor dw(DType::F32, c.in(1).shape());
    Tensor db(DType::F32, {g.M});
    float* dwp = dw.data<float>();
    float* dbp = db.data<float>();
    for (int64_t ch = 0; ch < chunks; ++ch) {
      const float* pw = partial.get() + ch * psize;
      for (int64_t i = 0; i < wsize; ++i) dwp[i] += pw[i];
      for (int64_t m = 0; m < g.M; ++m) dbp[m] += pw[wsize + m];
    }
    if (want_w) c.input_grads[1] = std::move(dw);
    if (want_b) c.input_grads[2] = std::move(db);
  }
}

}  // namespace

ETCH_REGISTER_GRAD("Conv", {conv_grad, nullptr, {0, 1, 2}, {1, 2}});

}  // namespace etch::train::grads
