// fp32 Conv (im2col + sgemm) and ConvTranspose (sgemm + col2im) kernels.
#include <algorithm>
#include <vector>

#include "etch/core/thread_pool.h"
#include "etch/ir/ops/nn_window.h"
#include "etch/runtime/kernel_overwrites.h"
#include "etch/runtime/kernel_registry.h"
#include "etch/runtime/kernels/gemm.h"
#include "etch/runtime/kernels/nn_im2col.h"

namespace etch::runtime {
namespace {

std::vector<int64_t> spatial(const Shape& s) { return std::vector<int64_t>(s.begin() + 2, s.end()); }

float* scratch(size_t n) {
  thread_local std::vector<float> buf;
  if (buf.size() < n) buf.resize(n);
  return buf.data();
}

void conv_f32(KernelContext& ctx) {
  const ir::Node& node = ctx.node();
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  Tensor& y = ctx.output(0);
  const ir::Window win = ir::resolve_window(node, spatial(x.shape()), spatial(w.shape()), false);
  const Geom3 g = make_geom3(win);
  const int64_t batch = x.dim(0), groups = node.attr_int("group", 1);
  const int64_t m = w.dim(0), mg = m / groups, cg = w.dim(1), kc = cg * g.k_size();
  const int64_t in_sz = g.in_size(), out_sz = g.out_size();
  const bool pointwise = g.k_size() == 1 && g.s[0] == 1 && g.s[1] == 1 && g.s[2] == 1 && g.p[0] == 0 &&
                         g.p[1] == 0 && g.p[2] == 0 && in_sz == out_sz;
  // Column blocks keep the im2col buffer cache-sized; boundaries depend only on the shapes.
  const int64_t block = std::min(out_sz, std::max<int64_t>(64, (int64_t{1} << 16) / std::max<int64_t>(1, kc)));
  const int64_t nblocks = (out_sz + block - 1) / block;
  const float* xv = x.data<float>();
  const float* wv = w.data<float>();
  const float* bias = ctx.has_input(2) ? ctx.input(2).data<float>() : nullptr;
  float* yv = y.data<float>();
  const int64_t items = batch * groups * nblocks;
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 18) / std::max<int64_t>(1, mg * kc * block));
  parallel_for(items, grain, [&](int64_t i0, int64_t i1) {
    for (int64_t it = i0; it < i1; ++it) {
      const int64_t blk = it % nblocks, ng = it / nblocks, gi = ng % groups, n = ng / groups;
      const int64_t p0 = blk * block, p1 = std::min(out_sz, p0 + block), len = p1 - p0;
      const float* xg = xv + (n * groups + gi) * cg * in_sz;
      float* yg = yv + (n * m + gi * mg) * out_sz + p0;
      const float* col;
      int64_t ldb;
      if (pointwise) {
        col = xg + p0;
        ldb = out_sz;
      } else {
        float* buf = scratch(static_cast<size_t>(kc * len + kIm2colSlack));
        im2col(g, cg, xg, p0, p1, buf, true);
        col = buf;
        ldb = len;
      }
      sgemm(false, false, mg, len, kc, 1.0f, wv + gi * mg * kc, kc, col, ldb, 0.0f, yg, out_sz);
      if (bias)
        for (int64_t r = 0; r < mg; ++r) {
          const float bv = bias[gi * mg + r];
          float* row = yg + r * out_sz;
          for (int64_t j = 0; j < len; ++j) row[j] += bv;
        }
    }
  });
}

void conv_transpose_f32(KernelContext& ctx) {
  const ir::Node& node = ctx.node();
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  Tensor& y = ctx.output(0);
  const ir::Window win = ir::resolve_transpose_window(node, spatial(x.shape()), spatial(w.shape()));
  // col2im geometry: the "image" is Y, the column positions are X's.
  ir::Window cw = win;
  cw.in = win.out;
  cw.out = win.in;
  const Geom3 g = make_geom3(cw);
  const int64_t batch = x.dim(0), groups = node.attr_int("group", 1);
  const int64_t c = w.dim(0), cg = c / groups, mg = w.dim(1), m = mg * groups;
  const int64_t rows = mg * g.k_size(), in_sz = g.out_size(), out_sz = g.in_size();
  const float* xv = x.data<float>();
  const float* wv = w.data<float>();
  const float* bias = ctx.has_input(2) ? ctx.input(2).data<float>() : nullptr;
  float* yv = y.data<float>();
  parallel_for(batch * groups, 1, [&](int64_t i0, int64_t i1) {
    for (int64_t it = i0; it < i1; ++it) {
      const int64_t gi = it % groups, n = it / groups;
      float* col = scratch(static_cast<size_t>(rows * in_sz));
      // col[rows × in] = W_gᵀ[rows × cg] · X_g[cg × in]
      sgemm(true, false, rows, in_sz, cg, 1.0f, wv + gi * cg * rows, rows, xv + (n * c + gi * cg) * in_sz, in_sz,
            0.0f, col, in_sz);
      float* yg = yv + (n * m + gi * mg) * out_sz;
      for (int64_t r = 0; r < mg; ++r) std::fill(yg + r * out_sz, yg + (r + 1) * out_sz, bias ? bias[gi * mg + r] : 0.f);
      col2im_add(g, mg, col, yg);
    }
  });
}

}  // namespace

ETCH_REGISTER_KERNEL("Conv", "", DType::F32, conv_f32);
ETCH_REGISTER_KERNEL("ConvTranspose", "", DType::F32, conv_transpose_f32);
// Every output element is written (sgemm with beta 0, or fill then col2im).
ETCH_KERNEL_OVERWRITES_OUTPUTS("Conv", "", DType::F32);
ETCH_KERNEL_OVERWRITES_OUTPUTS("ConvTranspose", "", DType::F32);

}  // namespace etch::runtime
