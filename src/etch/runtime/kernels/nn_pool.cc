// Pooling kernels: MaxPool (with optional Indices), AveragePool,
// GlobalAveragePool, GlobalMaxPool, LRN.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "etch/core/thread_pool.h"
#include "etch/ir/ops/nn_window.h"
#include "etch/runtime/kernel_overwrites.h"
#include "etch/runtime/kernel_registry.h"
#include "etch/runtime/kernels/maxpool_rows.h"
#include "etch/runtime/kernels/nn_im2col.h"

namespace etch::runtime {
namespace {

// Per output position along one dim: first input index and the tap range
// [klo, khi) that lands inside the input; `span` = taps inside input+pads.
struct DimTaps {
  std::vector<int64_t> start, klo, khi, span;
};

DimTaps dim_taps(int64_t in, int64_t out, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe) {
  DimTaps t;
  for (int64_t o = 0; o < out; ++o) {
    const int64_t st = o * s - pb;
    int64_t lo = 0, hi = 0, span = 0;
    while (lo < k && st + lo * d < 0) ++lo;
    hi = lo;
    while (hi < k && st + hi * d < in) ++hi;
    for (int64_t j = 0; j < k; ++j)
      if (st + j * d >= -pb && st + j * d < in + pe) ++span;
    t.start.push_back(st);
    t.klo.push_back(lo);
    t.khi.push_back(hi);
    t.span.push_back(span);
  }
  return t;
}

struct PoolPlan {
  Geom3 g;
  DimTaps taps[3];
  int64_t planes;
};

PoolPlan plan_pool(const ir::Node& n, const Tensor& x) {
  const std::vector<int64_t> in(x.shape().begin() + 2, x.shape().end());
  const ir::Window w = ir::resolve_window(n, in, n.attr_ints("kernel_shape"), n.attr_int("ceil_mode", 0) != 0);
  PoolPlan p;
  p.g = make_geom3(w);
  const int off = 3 - w.nd;
  for (int i = 0; i < 3; ++i) {
    const int64_t pe = i >= off ? w.pad_end[i - off] : 0;
    p.taps[i] = dim_taps(p.g.in[i], p.g.out[i], p.g.k[i], p.g.s[i], p.g.d[i], p.g.p[i], pe);
  }
  p.planes = x.dim(0) * x.dim(1);
  return p;
}

// MaxPool over 1-D/2-D windows without dilation or Indices output: the common
// case, with the tap ranges hoisted and a branch-free max. Takes the first tap,
// then replaces it only by strictly greater values, exactly like the general
// loop (NaN and signed-zero behaviour included).
template <typename T>
bool maxpool_2d(const PoolPlan& p, const T* xv, T* yv) {
  const Geom3& g = p.g;
  if (g.in[0] != 1 || g.out[0] != 1 || g.k[0] != 1 || g.d[1] != 1 || g.d[2] != 1) return false;
  const int64_t oh_n = g.out[1], ow_n = g.out[2], iw_n = g.in[2], in_sz = g.in_size(), out_sz = g.out_size();
  const DimTaps& th = p.taps[1];
  const DimTaps& tw = p.taps[2];
  for (int64_t o = 0; o < oh_n; ++o)
    if (th.khi[o] <= th.klo[o]) return false;
  for (int64_t o = 0; o < ow_n; ++o)
    if (tw.khi[o] <= tw.klo[o]) return false;
  // 2x2 stride 2 with every window inside the input (e.g. no padding).
  bool full22 = g.k[1] == 2 && g.k[2] == 2 && g.s[1] == 2 && g.s[2] == 2;
  for (int64_t o = 0; full22 && o < oh_n; ++o) full22 = th.klo[o] == 0 && th.khi[o] == 2 && th.start[o] == 2 * o;
  for (int64_t o = 0; full22 && o < ow_n; ++o) full22 = tw.klo[o] == 0 && tw.khi[o] == 2 && tw.start[o] == 2 * o;
  const auto keep_max = [](T m, T v) { return v > m ? v : m; };
  parallel_for(p.planes, std::max<int64_t>(1, 32768 / std::max<int64_t>(1, in_sz)), [&](int64_t a, int64_t b) {
    std::vector<int64_t> wlo(ow_n), whi(ow_n);
    for (int64_t o = 0; o < ow_n; ++o) {
      wlo[o] = tw.start[o] + tw.klo[o];
      whi[o] = tw.start[o] + tw.khi[o];
    }
    for (int64_t pl = a; pl < b; ++pl) {
      const T* xp = xv + pl * in_sz;
      T* yp = yv + pl * out_sz;
      for (int64_t oh = 0; oh < oh_n; ++oh, yp += ow_n) {
        if (full22) {
          const T* r0 = xp + 2 * oh * iw_n;
          const T* r1 = r0 + iw_n;
          int64_t ow = 0;
          if constexpr (std::is_same_v<T, int8_t>) ow = max_pool_2x2_rows_i8(r0, r1, yp, ow_n);
          if constexpr (std::is_same_v<T, float>) ow = max_pool_2x2_f32(r0, iw_n, 1, ow_n, yp);
          for (; ow < ow_n; ++ow)
            yp[ow] = keep_max(keep_max(keep_max(r0[2 * ow], r0[2 * ow + 1]), r1[2 * ow]), r1[2 * ow + 1]);
          continue;
        }
        const int64_t h0 = th.start[oh] + th.klo[oh], h1 = th.start[oh] + th.khi[oh];
        for (int64_t ow = 0; ow < ow_n; ++ow) {
          const int64_t w0 = wlo[ow], w1 = whi[ow];
          T best = xp[h0 * iw_n + w0];
          for (int64_t ih = h0; ih < h1; ++ih) {
            const T* row = xp + ih * iw_n;
            for (int64_t iw = ih == h0 ? w0 + 1 : w0; iw < w1; ++iw) best = keep_max(best, row[iw]);
          }
          yp[ow] = best;
        }
      }
    }
  });
  return true;
}

template <typename T>
void maxpool(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const PoolPlan& p = ctx.plan<PoolPlan>([&] { return plan_pool(ctx.node(), x); });
  const Geom3& g = p.g;
  const bool want_idx = ctx.num_outputs() > 1;
  if (!want_idx && maxpool_2d(p, x.data<T>(), ctx.output(0).data<T>())) return;
  const bool col_major = ctx.node().attr_int("storage_order", 0) != 0;
  const T* xv = x.data<T>();
  T* yv = ctx.output(0).data<T>();
  int64_t* iv = want_idx ? ctx.output(1).data<int64_t>() : nullptr;
  const int64_t in_sz = g.in_size(), out_sz = g.out_size();
  parallel_for(
      p.planes, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, out_sz * g.k_size())), [&](int64_t a, int64_t b) {
        for (int64_t pl = a; pl < b; ++pl) {
          const T* xp = xv + pl * in_sz;
          T* yp = yv + pl * out_sz;
          int64_t o = 0;
          for (int64_t od = 0; od < g.out[0]; ++od)
            for (int64_t oh = 0; oh < g.out[1]; ++oh)
              for (int64_t ow = 0; ow < g.out[2]; ++ow, ++o) {
                T best = std::numeric_limits<T>::lowest();
                int64_t best_i = -1;
                for (int64_t kd = p.taps[0].klo[od]; kd < p.taps[0].khi[od]; ++kd) {
                  const int64_t id = p.taps[0].start[od] + kd * g.d[0];
                  for (int64_t kh = p.taps[1].klo[oh]; kh < p.taps[1].khi[oh]; ++kh) {
                    const int64_t ih = p.taps[1].start[oh] + kh * g.d[1];
                    const T* row = xp + (id * g.in[1] + ih) * g.in[2];
                    for (int64_t kw = p.taps[2].klo[ow]; kw < p.taps[2].khi[ow]; ++kw) {
                      const int64_t iw = p.taps[2].start[ow] + kw * g.d[2];
                      if (row[iw] > best || best_i < 0) {
                        best = row[iw];
                        best_i =
                            col_major ? id + ih * g.in[0] + iw * g.in[0] * g.in[1] : (id * g.in[1] + ih) * g.in[2] + iw;
                      }
                    }
                  }
                }
                yp[o] = best;
                if (iv) iv[pl * out_sz + o] = pl * in_sz + std::max<int64_t>(best_i, 0);
              }
        }
      });
}

void avgpool_f32(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const PoolPlan& p = ctx.plan<PoolPlan>([&] { return plan_pool(ctx.node(), x); });
  const Geom3& g = p.g;
  const bool include_pad = ctx.node().attr_int("count_include_pad", 0) != 0;
  const float* xv = x.data<float>();
  float* yv = ctx.output(0).data<float>();
  const int64_t in_sz = g.in_size(), out_sz = g.out_size();
  parallel_for(
      p.planes, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, out_sz * g.k_size())), [&](int64_t a, int64_t b) {
        for (int64_t pl = a; pl < b; ++pl) {
          const float* xp = xv + pl * in_sz;
          float* yp = yv + pl * out_sz;
          int64_t o = 0;
          for (int64_t od = 0; od < g.out[0]; ++od)
            for (int64_t oh = 0; oh < g.out[1]; ++oh)
              for (int64_t ow = 0; ow < g.out[2]; ++ow, ++o) {
                float sum = 0.0f;
                for (int64_t kd = p.taps[0].klo[od]; kd < p.taps[0].khi[od]; ++kd) {
                  const int64_t id = p.taps[0].start[od] + kd * g.d[0];
                  for (int64_t kh = p.taps[1].klo[oh]; kh < p.taps[1].khi[oh]; ++kh) {
                    const int64_t ih = p.taps[1].start[oh] + kh * g.d[1];
                    const float* row = xp + (id * g.in[1] + ih) * g.in[2];
                    for (int64_t kw = p.taps[2].klo[ow]; kw < p.taps[2].khi[ow]; ++kw)
                      sum += row[p.taps[2].start[ow] + kw * g.d[2]];
                  }
                }
                const int64_t count = include_pad ? p.taps[0].span[od] * p.taps[1].span[oh] * p.taps[2].span[ow]
                                                  : (p.taps[0].khi[od] - p.taps[0].klo[od]) *
                                                        (p.taps[1].khi[oh] - p.taps[1].klo[oh]) *
                                                        (p.taps[2].khi[ow] - p.taps[2].klo[ow]);
                yp[o] = count > 0 ? sum / static_cast<float>(count) : 0.0f;
              }
        }
      });
}

template <typename T, bool kMax>
void global_pool(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int64_t planes = x.dim(0) * x.dim(1), sz = planes ? x.numel() / planes : 0;
  const T* xv = x.data<T>();
  T* yv = ctx.output(0).data<T>();
  parallel_for(planes, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, sz)), [&](int64_t a, int64_t b) {
    for (int64_t pl = a; pl < b; ++pl) {
      const T* xp = xv + pl * sz;
      if constexpr (kMax) {
        T best = std::numeric_limits<T>::lowest();
        for (int64_t i = 0; i < sz; ++i) best = std::max(best, xp[i]);
        yv[pl] = best;
      } else {
        double sum = 0.0;
        for (int64_t i = 0; i < sz; ++i) sum += xp[i];
        yv[pl] = static_cast<T>(sum / static_cast<double>(sz));
      }
    }
  });
}

void lrn_f32(KernelContext& ctx) {
  const ir::Node& n = ctx.node();
  const Tensor& x = ctx.input(0);
  const float alpha = n.attr_float("alpha", 1e-4f), beta = n.attr_float("beta", 0.75f),
              bias = n.attr_float("bias", 1.0f);
  const int64_t size = n.attr_int("size", 1);
  const int64_t batch = x.dim(0), ch = x.dim(1), sz = x.numel() / std::max<int64_t>(1, batch * ch);
  const int64_t before = (size - 1) / 2, after = size - 1 - before;
  const float* xv = x.data<float>();
  float* yv = ctx.output(0).data<float>();
  parallel_for(batch * ch, 1, [&](int64_t a, int64_t b) {
    for (int64_t it = a; it < b; ++it) {
      const int64_t nb = it / ch, c = it % ch;
      const int64_t c0 = std::max<int64_t>(0, c - before), c1 = std::min(ch - 1, c + after);
      for (int64_t i = 0; i < sz; ++i) {
        float sq = 0.0f;
        for (int64_t cc = c0; cc <= c1; ++cc) {
          const float v = xv[(nb * ch + cc) * sz + i];
          sq += v * v;
        }
        const float xi = xv[it * sz + i];
        yv[it * sz + i] = xi / std::pow(bias + alpha / static_cast<float>(size) * sq, beta);
      }
    }
  });
}

}  // namespace

ETCH_REGISTER_KERNEL("MaxPool", "", DType::F32, maxpool<float>);
ETCH_REGISTER_KERNEL("MaxPool", "", DType::U8, maxpool<uint8_t>);
ETCH_REGISTER_KERNEL("MaxPool", "", DType::I8, maxpool<int8_t>);
ETCH_REGISTER_KERNEL("AveragePool", "", DType::F32, avgpool_f32);
ETCH_REGISTER_KERNEL("GlobalAveragePool", "", DType::F32, (global_pool<float, false>));
ETCH_REGISTER_KERNEL("GlobalMaxPool", "", DType::F32, (global_pool<float, true>));
ETCH_REGISTER_KERNEL("GlobalMaxPool", "", DType::U8, (global_pool<uint8_t, true>));
ETCH_REGISTER_KERNEL("GlobalMaxPool", "", DType::I8, (global_pool<int8_t, true>));
ETCH_REGISTER_KERNEL("LRN", "", DType::F32, lrn_f32);
ETCH_KERNEL_OVERWRITES_OUTPUTS("MaxPool", "", DType::F32);
ETCH_KERNEL_OVERWRITES_OUTPUTS("MaxPool", "", DType::U8);
ETCH_KERNEL_OVERWRITES_OUTPUTS("MaxPool", "", DType::I8);
ETCH_KERNEL_OVERWRITES_OUTPUTS("AveragePool", "", DType::F32);
ETCH_KERNEL_OVERWRITES_OUTPUTS("GlobalAveragePool", "", DType::F32);
ETCH_KERNEL_OVERWRITES_OUTPUTS("GlobalMaxPool", "", DType::F32);
ETCH_KERNEL_OVERWRITES_OUTPUTS("GlobalMaxPool", "", DType::U8);
ETCH_KERNEL_OVERWRITES_OUTPUTS("GlobalMaxPool", "", DType::I8);
ETCH_KERNEL_OVERWRITES_OUTPUTS("LRN", "", DType::F32);

}  // namespace etch::runtime
