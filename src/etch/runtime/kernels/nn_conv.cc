// fp32 Conv and ai.etch.FusedConv (im2col + sgemm, then bias and the fused
// clamp on each cache-hot block; depthwise and 1x1 convolutions go to direct
// kernels, dense ones with enough work to oneDNN) and ConvTranspose (sgemm +
// col2im) kernels.
#include <algorithm>
#include <limits>
#include <vector>

#include "etch/core/thread_pool.h"
#include "etch/ir/ops/nn_window.h"
#include "etch/runtime/kernel_overwrites.h"
#include "etch/runtime/kernel_registry.h"
#include "etch/runtime/kernels/gemm.h"
#include "etch/runtime/kernels/maxpool_rows.h"
#include "etch/runtime/kernels/nn_conv_depthwise.h"
#include "etch/runtime/kernels/nn_conv_dilated.h"
#include "etch/runtime/kernels/nn_conv_implicit.h"
#include "etch/runtime/kernels/nn_conv_onednn.h"
#include "etch/runtime/kernels/nn_conv_pointwise.h"
#include "etch/runtime/kernels/nn_im2col.h"

namespace etch::runtime {
namespace {

std::vector<int64_t> spatial(const Shape& s) { return std::vector<int64_t>(s.begin() + 2, s.end()); }

// What FusedConv applies after the convolution: the clamp, then the pool.
struct Epilogue {
  bool clamp = false;
  bool relu = false;  // clamp to [0, inf) exactly as the Relu kernel does
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
  int64_t pool_k[2] = {0, 0}, pool_s[2] = {1, 1};  // pool_k[0] == 0: no pool
};

// e as the direct kernels apply it, with a block's bias and summand.
PointwiseEpilogue pointwise_epilogue(const Epilogue& e, const float* bias, const float* z) {
  return PointwiseEpilogue{bias, z, e.clamp, e.relu, e.lo, e.hi};
}

// The epilogue streams through every conv output; AVX2 clones run it about
// twice as fast where the CPU has them (same results: no FMA, no reassociation).
#define ETCH_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))

// Adds the bias (and the summand z, row stride ld too) and clamps `rows` rows
// of `len` outputs (row stride `ld`).
ETCH_VECTOR_CLONES void bias_clamp(float* y, int64_t rows, int64_t len, int64_t ld, const float* bias, const float* z,
                                   const Epilogue& e) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = y + r * ld;
    const float bv = bias ? bias[r] : 0.0f;
    if (z) {
      // Conv (+ bias) then the Add kernel's y + z, then the activation: the
      // unfused graph's operations in its order (no +0 without a bias, so
      // signed zeros match too).
      const float* zr = z + r * ld;
      if (bias)
        for (int64_t j = 0; j < len; ++j) row[j] = (row[j] + bv) + zr[j];
      else
        for (int64_t j = 0; j < len; ++j) row[j] = row[j] + zr[j];
      if (!e.clamp) continue;
      if (e.relu)
        for (int64_t j = 0; j < len; ++j) row[j] = row[j] > 0.0f ? row[j] : 0.0f;
      else
        for (int64_t j = 0; j < len; ++j) row[j] = row[j] < e.lo ? e.lo : (row[j] > e.hi ? e.hi : row[j]);
      continue;
    }
    // The same expressions as the Relu and Clip kernels, so fused and unfused
    // results are identical (NaN included).
    if (!e.clamp) {
      for (int64_t j = 0; j < len; ++j) row[j] += bv;
    } else if (e.relu) {
      for (int64_t j = 0; j < len; ++j) {
        const float v = row[j] + bv;
        row[j] = v > 0.0f ? v : 0.0f;
      }
    } else {
      for (int64_t j = 0; j < len; ++j) {
        const float v = row[j] + bv;
        row[j] = v < e.lo ? e.lo : (v > e.hi ? e.hi : v);
      }
    }
  }
}

// Max-pools `rows` planes of h × w (row stride ld, planes h·ld apart) into y
// (planes of ph × pw) with the MaxPool kernel's comparisons in row-major window
// order (keep the earlier element unless a later one is greater), so fused and
// unfused results are identical, NaN included.
ETCH_VECTOR_CLONES void max_pool_planes(const float* x, int64_t rows, int64_t h, int64_t w, int64_t ld,
                                        const Epilogue& e, float* y) {
  const int64_t kh = e.pool_k[0], kw = e.pool_k[1], sh = e.pool_s[0], sw = e.pool_s[1];
  const int64_t ph = (h - kh) / sh + 1, pw = (w - kw) / sw + 1;
  const auto keep_max = [](float m, float v) { return v > m ? v : m; };
  if (kh == 2 && kw == 2 && sh == 2 && sw == 2) {
    for (int64_t r = 0; r < rows; ++r, x += h * ld) {
      const int64_t done = max_pool_2x2_f32(x, ld, ph, pw, y);
      if (done == pw) {
        y += ph * pw;
        continue;
      }
      for (int64_t oh = 0; oh < ph; ++oh, y += pw) {
        const float* r0 = x + 2 * oh * ld;
        const float* r1 = r0 + ld;
        for (int64_t ow = done; ow < pw; ++ow)
          y[ow] = keep_max(keep_max(keep_max(r0[2 * ow], r0[2 * ow + 1]), r1[2 * ow]), r1[2 * ow + 1]);
      }
    }
    return;
  }
  for (int64_t r = 0; r < rows; ++r, x += h * ld)
    for (int64_t oh = 0; oh < ph; ++oh, y += pw)
      for (int64_t ow = 0; ow < pw; ++ow) {
        const float* win = x + oh * sh * ld + ow * sw;
        float best = win[0];
        for (int64_t i = 0; i < kh; ++i)
          for (int64_t j = 0; j < kw; ++j) best = keep_max(best, win[i * ld + j]);
        y[ow] = best;
      }
}

float* scratch(size_t n, int which) {
  thread_local std::vector<float> buf[2];
  if (buf[which].size() < n) buf[which].resize(n);
  return buf[which].data();
}

// What a conv kernel keeps between runs: its weights in oneDNN's layouts
// when they are a graph constant (null otherwise).
struct FloatConvPlan {
  std::shared_ptr<OnednnWeightCache> onednn_weights;
};

void conv_with_epilogue(KernelContext& ctx, const Epilogue& e) {
  const FloatConvPlan& plan = ctx.plan<FloatConvPlan>(
      [&] { return FloatConvPlan{ctx.input_is_constant(1) ? std::make_shared<OnednnWeightCache>() : nullptr}; });
  const ir::Node& node = ctx.node();
  const Tensor& x = ctx.input(0);
  const Tensor& w = ctx.input(1);
  Tensor& y = ctx.output(0);
  const ir::Window win = ir::resolve_window(node, spatial(x.shape()), spatial(w.shape()), false);
  const Geom3 g = make_geom3(win);
  const int64_t batch = x.dim(0), groups = node.attr_int("group", 1);
  const int64_t m = w.dim(0), mg = m / groups, cg = w.dim(1), kc = cg * g.k_size();
  const int64_t in_sz = g.in_size(), out_sz = g.out_size(), y_sz = y.numel() / std::max<int64_t>(1, batch * m);
  const bool pool = e.pool_k[0] > 0;
  const bool pointwise = g.k_size() == 1 && g.s[0] == 1 && g.s[1] == 1 && g.s[2] == 1 && g.p[0] == 0 && g.p[1] == 0 &&
                         g.p[2] == 0 && in_sz == out_sz;
  // Column blocks keep the im2col buffer cache-sized; boundaries depend only on
  // the shapes. A fused pool needs whole planes.
  const int64_t block =
      pool ? out_sz : std::min(out_sz, std::max<int64_t>(64, (int64_t{1} << 16) / std::max<int64_t>(1, kc)));
  const int64_t nblocks = (out_sz + block - 1) / block;
  const float* xv = x.data<float>();
  const float* wv = w.data<float>();
  const float* bias = ctx.has_input(2) ? ctx.input(2).data<float>() : nullptr;
  // FusedConv's summand, shaped like y (the schema allows no pool with it).
  const float* zv = ctx.num_inputs() > 3 && ctx.has_input(3) ? ctx.input(3).data<float>() : nullptr;
  float* yv = y.data<float>();
  if (mg == 1 && cg == 1 && !pool && !zv && depthwise_conv2d_supported(g)) {
    depthwise_conv2d(g, batch, groups, xv, wv, DepthwiseEpilogue{bias, e.clamp, e.relu, e.lo, e.hi}, yv);
    return;
  }
  if (pointwise && groups == 1 && !pool && pointwise_conv_available()) {
    pointwise_conv(batch, m, kc, out_sz, xv, wv, pointwise_epilogue(e, bias, zv), yv);
    return;
  }
  // Bands of about `block` outputs as below; a fused pool takes whole planes
  // (with their padding columns) from the sink.
  const auto run_implicit = [&] {
    const int64_t oh_n = g.out[1], ow_n = g.out[2];
    const int64_t band_rows = pool ? oh_n : std::max<int64_t>(1, block / std::max<int64_t>(1, ow_n));
    if (!pool)
      return implicit_conv_rows(g, batch, groups, cg, mg, xv, wv, pointwise_epilogue(e, bias, nullptr), band_rows, yv);
    implicit_conv(g, batch, groups, cg, mg, xv, wv, pointwise_epilogue(e, bias, nullptr), band_rows,
                  [&](int64_t n, int64_t gi, int64_t, int64_t, const float* planes, int64_t ld) {
                    max_pool_planes(planes, mg, oh_n, ow_n, ld, e, yv + (n * m + gi * mg) * y_sz);
                  });
  };
  if (!pool && dilated_conv_by_phases_supported(g, groups, cg, m) &&
      dilated_conv_sums(g, batch, cg, m, xv, wv, yv, plan.onednn_weights.get())) {
    if (bias || e.clamp || zv)
      parallel_for(batch * m, 1, [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i)
          bias_clamp(yv + i * out_sz, 1, out_sz, out_sz, bias ? bias + i % m : nullptr, zv ? zv + i * out_sz : nullptr,
                     e);
      });
    return;
  }
  const bool onednn = onednn_conv_supported(g, groups, cg, m);
  if (onednn && !zv && cg < kImplicitFirstLayerChannels && implicit_conv_fits(g) && pointwise_conv_available()) {
    run_implicit();
    return;
  }
  if (onednn) {
    // A fused pool reads across oneDNN's row bands: the conv output is kept
    // whole and pooled after.
    std::vector<float> whole(pool ? static_cast<size_t>(batch * m * out_sz) : 0);
    float* conv_out = pool ? whole.data() : yv;
    ConvBlockSink sink;
    sink.dst = [&](int64_t n, int64_t oc0) { return conv_out + (n * m + oc0) * out_sz; };
    sink.finish = [&](int64_t n, int64_t oc0, int64_t oc1, int64_t p0, int64_t p1, float* planes) {
      const float* zg = zv ? zv + (n * m + oc0) * y_sz + p0 : nullptr;
      if (bias || e.clamp || zg)
        bias_clamp(planes + p0, oc1 - oc0, p1 - p0, out_sz, bias ? bias + oc0 : nullptr, zg, e);
    };
    if (onednn_conv(g, batch, cg, m, xv, wv, sink, plan.onednn_weights.get())) {
      if (pool)
        parallel_for(batch * m, 1, [&](int64_t i0, int64_t i1) {
          max_pool_planes(conv_out + i0 * out_sz, i1 - i0, g.out[1], g.out[2], g.out[2], e, yv + i0 * y_sz);
        });
      return;
    }
  }
  if (!pointwise && !zv && implicit_conv_supported(g)) {
    run_implicit();
    return;
  }
  const int64_t items = batch * groups * nblocks;
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 18) / std::max<int64_t>(1, mg * kc * block));
  parallel_for(items, grain, [&](int64_t i0, int64_t i1) {
    for (int64_t it = i0; it < i1; ++it) {
      const int64_t blk = it % nblocks, ng = it / nblocks, gi = ng % groups, n = ng / groups;
      const int64_t p0 = blk * block, p1 = std::min(out_sz, p0 + block), len = p1 - p0;
      const float* xg = xv + (n * groups + gi) * cg * in_sz;
      float* yg = yv + (n * m + gi * mg) * y_sz;
      float* acc = pool ? scratch(static_cast<size_t>(mg * out_sz), 1) : yg + p0;
      const int64_t ldc = pool ? out_sz : y_sz;
      const float* col;
      int64_t ldb;
      if (pointwise) {
        col = xg + p0;
        ldb = out_sz;
      } else {
        float* buf = scratch(static_cast<size_t>(kc * len + kIm2colSlack), 0);
        im2col(g, cg, xg, p0, p1, buf, true);
        col = buf;
        ldb = len;
      }
      const float* zg = zv ? zv + (n * m + gi * mg) * y_sz + p0 : nullptr;
      const float* bg = bias ? bias + gi * mg : nullptr;
      // On AVX2 machines the direct kernel beat OpenBLAS 2x on these per-block
      // products (bench/README.md); with AVX-512, OpenBLAS was measured at peak.
      // The direct kernel applies the epilogue in registers (the same
      // expressions as bias_clamp); the summand has y's row stride there too.
      if (direct_gemm_preferred()) {
        direct_gemm(mg, kc, len, wv + gi * mg * kc, col, ldb, pointwise_epilogue(e, bg, zg), acc, ldc);
      } else {
        sgemm(false, false, mg, len, kc, 1.0f, wv + gi * mg * kc, kc, col, ldb, 0.0f, acc, ldc);
        if (bias || e.clamp || zg) bias_clamp(acc, mg, len, ldc, bg, zg, e);
      }
      if (pool) max_pool_planes(acc, mg, g.out[1], g.out[2], g.out[2], e, yg);
    }
  });
}

void conv_f32(KernelContext& ctx) { conv_with_epilogue(ctx, Epilogue{}); }

void fused_conv_f32(KernelContext& ctx) {
  const ir::Node& n = ctx.node();
  Epilogue e;
  e.clamp = true;
  if (n.attr_string("activation", "") == "Relu") {
    e.relu = true;
  } else {
    const auto p = n.attr_floats("activation_params");
    e.lo = p.at(0);
    e.hi = p.at(1);
  }
  if (n.has_attr("pool_kernel")) {
    const auto k = n.attr_ints("pool_kernel"), s = n.attr_ints("pool_strides");
    for (int i = 0; i < 2; ++i) {
      e.pool_k[i] = k.at(i);
      e.pool_s[i] = s.at(i);
    }
  }
  conv_with_epilogue(ctx, e);
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
      float* col = scratch(static_cast<size_t>(rows * in_sz), 0);
      // col[rows × in] = W_gᵀ[rows × cg] · X_g[cg × in]
      sgemm(true, false, rows, in_sz, cg, 1.0f, wv + gi * cg * rows, rows, xv + (n * c + gi * cg) * in_sz, in_sz, 0.0f,
            col, in_sz);
      float* yg = yv + (n * m + gi * mg) * out_sz;
      for (int64_t r = 0; r < mg; ++r)
        std::fill(yg + r * out_sz, yg + (r + 1) * out_sz, bias ? bias[gi * mg + r] : 0.f);
      col2im_add(g, mg, col, yg);
    }
  });
}

}  // namespace

ETCH_REGISTER_KERNEL("Conv", "", DType::F32, conv_f32);
ETCH_REGISTER_KERNEL("FusedConv", "ai.etch", DType::F32, fused_conv_f32);
ETCH_REGISTER_KERNEL("ConvTranspose", "", DType::F32, conv_transpose_f32);
// Every output element is written (sgemm with beta 0, or fill then col2im).
ETCH_KERNEL_OVERWRITES_OUTPUTS("Conv", "", DType::F32);
ETCH_KERNEL_OVERWRITES_OUTPUTS("FusedConv", "ai.etch", DType::F32);
ETCH_KERNEL_OVERWRITES_OUTPUTS("ConvTranspose", "", DType::F32);

}  // namespace etch::runtime
