// Pooling gradients (1-3 spatial dims). MaxPool routes each output gradient to
// the first maximum of its window (padding never wins), recomputed from the
// input; AveragePool spreads it over the window with the forward's divisor.
#include <algorithm>
#include <limits>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "etch/core/thread_pool.h"
#include "etch/ir/ops/nn_window.h"
#include "etch/runtime/interpreter.h"
#include "etch/train/grads/grad_util.h"

namespace etch::train::grads {
namespace {

struct PoolGeom {
  int64_t planes = 0;  // N * C
  int64_t in[3] = {1, 1, 1}, k[3] = {1, 1, 1}, s[3] = {1, 1, 1}, d[3] = {1, 1, 1}, pb[3] = {0, 0, 0}, pe[3] = {0, 0, 0},
          out[3] = {1, 1, 1};
  int64_t Sin = 1, Sout = 1;
};

PoolGeom make_geom(const ir::Node& node, const Shape& xs, int64_t out_numel) {
  const int nd = static_cast<int>(xs.size()) - 2;
  ETCH_REQUIRE(nd >= 1 && nd <= 3, Unsupported)
      << node.describe() << ": training supports pooling over 1 to 3 spatial dims, input has " << nd;
  const ir::Window w = ir::resolve_window(node, std::vector<int64_t>(xs.begin() + 2, xs.end()),
                                          node.attr_ints("kernel_shape"), node.attr_int("ceil_mode", 0) != 0);
  PoolGeom g;
  g.planes = xs[0] * xs[1];
  const int off = 3 - nd;
  for (int i = 0; i < nd; ++i) {
    g.in[off + i] = w.in[i];
    g.k[off + i] = w.kernel[i];
    g.s[off + i] = w.strides[i];
    g.d[off + i] = w.dilations[i];
    g.pb[off + i] = w.pad_begin[i];
    g.pe[off + i] = w.pad_end[i];
    g.out[off + i] = w.out[i];
  }
  g.Sin = g.in[0] * g.in[1] * g.in[2];
  g.Sout = g.out[0] * g.out[1] * g.out[2];
  ETCH_CHECK(g.Sout == out_numel / std::max<int64_t>(1, g.planes))
      << node.describe() << ": pooling geometry disagrees with the output shape";
  return g;
}

PoolGeom make_geom(const GradContext& c) { return make_geom(c.node, c.in(0).shape(), c.gout().numel()); }

// Calls f(plane, out_index, in_offsets...) style: for every output position,
// visits its window's in-bounds input positions in row-major window order.
template <typename F>
void for_each_window(const PoolGeom& g, int64_t o0, int64_t o1, int64_t o2, F&& f) {
  for (int64_t k0 = 0; k0 < g.k[0]; ++k0) {
    const int64_t i0 = o0 * g.s[0] - g.pb[0] + k0 * g.d[0];
    if (i0 < 0 || i0 >= g.in[0]) continue;
    for (int64_t k1 = 0; k1 < g.k[1]; ++k1) {
      const int64_t i1 = o1 * g.s[1] - g.pb[1] + k1 * g.d[1];
      if (i1 < 0 || i1 >= g.in[1]) continue;
      for (int64_t k2 = 0; k2 < g.k[2]; ++k2) {
        const int64_t i2 = o2 * g.s[2] - g.pb[2] + k2 * g.d[2];
        if (i2 < 0 || i2 >= g.in[2]) continue;
        f((i0 * g.in[1] + i1) * g.in[2] + i2);
      }
    }
  }
}

// Runs body(plane, o0, o1, o2, out_flat) over all outputs, planes in parallel
// (each plane's input gradient is written by one chunk only).
template <typename F>
void for_each_output(const PoolGeom& g, F&& body) {
  parallel_for(g.planes, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, g.Sout)), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      int64_t o = 0;
      for (int64_t o0 = 0; o0 < g.out[0]; ++o0)
        for (int64_t o1 = 0; o1 < g.out[1]; ++o1)
          for (int64_t o2 = 0; o2 < g.out[2]; ++o2, ++o) body(p, o0, o1, o2, o);
    }
  });
}

// Training forward of MaxPool without the Indices output: computes the output
// and saves each window's argmax (first maximum, as the kernel picks it), so
// backward is a scatter. With Indices requested the runtime kernel runs and
// backward recomputes the argmax.
struct MaxPoolSaved {
  std::vector<int32_t> arg;  // per output element: offset in its input plane, -1 if none
};

void max_pool_forward_train(ForwardTrainContext& c) {
  if (c.outputs.size() > 1 || c.inputs[0]->dtype() != DType::F32) {
    std::vector<Tensor> outs = runtime::run_node(c.node, c.inputs);
    for (size_t i = 0; i < outs.size() && i < c.outputs.size(); ++i) c.outputs[i] = outs[i];
    return;
  }
  const Tensor& xt = *c.inputs[0];
  const PoolGeom g = make_geom(c.node, xt.shape(), c.outputs[0].numel());
  ETCH_REQUIRE(g.Sin < (int64_t{1} << 31), Unsupported) << c.node.describe() << ": plane too large for training";
  const float* x = xt.data<float>();
  float* y = c.outputs[0].data<float>();
  MaxPoolSaved s;
  s.arg.resize(c.outputs[0].numel());
  int32_t* arg = s.arg.data();
  const bool fast = g.in[0] == 1 && g.out[0] == 1 && g.k[1] == 2 && g.k[2] == 2 && g.s[1] == 2 && g.s[2] == 2 &&
                    g.pb[1] == 0 && g.pb[2] == 0 && g.d[1] == 1 && g.d[2] == 1 && g.out[1] * 2 <= g.in[1] &&
                    g.out[2] * 2 <= g.in[2];
  if (fast) {
    // 2x2 stride 2 without padding: every window is fully inside.
    parallel_for(g.planes, 64, [&](int64_t a, int64_t b) {
      const int64_t W = g.in[2], OH = g.out[1], OW = g.out[2];
      for (int64_t p = a; p < b; ++p) {
        const float* xp = x + p * g.in[1] * W;
        float* yp = y + p * OH * OW;
        int32_t* ap = arg + p * OH * OW;
        for (int64_t oh = 0; oh < OH; ++oh) {
          // Same first-maximum rule as the kernel.
          const float* top = xp + 2 * oh * W;
          const float* bottom = top + W;
          const int32_t row0 = static_cast<int32_t>(2 * oh * W), w = static_cast<int32_t>(W);
          float* yrow = yp + oh * OW;
          int32_t* arow = ap + oh * OW;
          int64_t ow = 0;
#if defined(__SSE2__)
          // Four outputs at a time: even and odd columns split by shuffles,
          // the comparisons as masks (GCC does not if-convert the scalar loop).
          const __m128i lane_offsets = _mm_setr_epi32(0, 2, 4, 6);
          for (; ow + 4 <= OW; ow += 4) {
            const __m128 t0 = _mm_loadu_ps(top + 2 * ow), t1 = _mm_loadu_ps(top + 2 * ow + 4);
            const __m128 b0 = _mm_loadu_ps(bottom + 2 * ow), b1 = _mm_loadu_ps(bottom + 2 * ow + 4);
            const __m128 v[4] = {
                _mm_shuffle_ps(t0, t1, _MM_SHUFFLE(2, 0, 2, 0)), _mm_shuffle_ps(t0, t1, _MM_SHUFFLE(3, 1, 3, 1)),
                _mm_shuffle_ps(b0, b1, _MM_SHUFFLE(2, 0, 2, 0)), _mm_shuffle_ps(b0, b1, _MM_SHUFFLE(3, 1, 3, 1))};
            const int32_t offs[4] = {0, 1, w, w + 1};
            __m128 best = v[0];
            __m128i off = _mm_setzero_si128();
            for (int k = 1; k < 4; ++k) {
              const __m128 m = _mm_cmpgt_ps(v[k], best);
              const __m128i mi = _mm_castps_si128(m);
              best = _mm_or_ps(_mm_and_ps(m, v[k]), _mm_andnot_ps(m, best));
              off = _mm_or_si128(_mm_and_si128(mi, _mm_set1_epi32(offs[k])), _mm_andnot_si128(mi, off));
            }
            _mm_storeu_ps(yrow + ow, best);
            const __m128i base = _mm_set1_epi32(row0 + 2 * static_cast<int32_t>(ow));
            _mm_storeu_si128(reinterpret_cast<__m128i*>(arow + ow),
                             _mm_add_epi32(_mm_add_epi32(base, lane_offsets), off));
          }
#endif
          for (; ow < OW; ++ow) {
            const float v0 = top[2 * ow], v1 = top[2 * ow + 1], v2 = bottom[2 * ow], v3 = bottom[2 * ow + 1];
            float best = v0;
            int32_t off = 0;
            if (v1 > best) best = v1, off = 1;
            if (v2 > best) best = v2, off = w;
            if (v3 > best) best = v3, off = w + 1;
            yrow[ow] = best;
            arow[ow] = row0 + 2 * static_cast<int32_t>(ow) + off;
          }
        }
      }
    });
  } else {
    for_each_output(g, [&](int64_t p, int64_t o0, int64_t o1, int64_t o2, int64_t oi) {
      const float* xp = x + p * g.Sin;
      float best = -std::numeric_limits<float>::infinity();
      int64_t a = -1;
      for_each_window(g, o0, o1, o2, [&](int64_t i) {
        if (a < 0 || xp[i] > best) {
          best = xp[i];
          a = i;
        }
      });
      y[p * g.Sout + oi] = a < 0 ? best : xp[a];
      arg[p * g.Sout + oi] = static_cast<int32_t>(a);
    });
  }
  c.saved = std::move(s);
}

void max_pool_grad(GradContext& c) {
  if (!c.wants(0)) return;
  const PoolGeom g = make_geom(c);
  if (c.saved.has_value()) {
    const auto& s = std::any_cast<const MaxPoolSaved&>(c.saved);
    const float* dy = c.gout(0).data<float>();
    // Planes in parallel: each is cleared and scattered into by one chunk.
    Tensor dx = Tensor::uninitialized(DType::F32, c.in(0).shape());
    float* o = dx.data<float>();
    parallel_for(g.planes, std::max<int64_t>(1, 4096 / std::max<int64_t>(1, g.Sin)), [&](int64_t p0, int64_t p1) {
      std::fill(o + p0 * g.Sin, o + p1 * g.Sin, 0.0f);
      for (int64_t p = p0; p < p1; ++p)
        for (int64_t k = 0; k < g.Sout; ++k) {
          const int32_t a = s.arg[p * g.Sout + k];
          if (a >= 0) o[p * g.Sin + a] += dy[p * g.Sout + k];
        }
    });
    c.input_grads[0] = std::move(dx);
    return;
  }
  const float* x = c.in(0).data<float>();
  const float* dy = c.gout(0).data<float>();
  Tensor dx(DType::F32, c.in(0).shape());
  float* o = dx.data<float>();
  for_each_output(g, [&](int64_t p, int64_t o0, int64_t o1, int64_t o2, int64_t oi) {
    const float* xp = x + p * g.Sin;
    float best = -std::numeric_limits<float>::infinity();
    int64_t arg = -1;
    for_each_window(g, o0, o1, o2, [&](int64_t i) {
      if (arg < 0 || xp[i] > best) {
        best = xp[i];
        arg = i;
      }
    });
    if (arg >= 0) o[p * g.Sin + arg] += dy[p * g.Sout + oi];
  });
  c.input_grads[0] = std::move(dx);
}

// Divisor: in-bounds window positions, or with count_include_pad every position
// inside the padded extent [-pad_begin, in + pad_end) (a ceil_mode window's
// overhang past the end padding is never counted, as in PyTorch).
void average_pool_grad(GradContext& c) {
  if (!c.wants(0)) return;
  const PoolGeom g = make_geom(c);
  const bool include_pad = c.node.attr_int("count_include_pad", 0) != 0;
  const float* dy = c.gout(0).data<float>();
  Tensor dx(DType::F32, c.in(0).shape());
  float* o = dx.data<float>();
  for_each_output(g, [&](int64_t p, int64_t o0, int64_t o1, int64_t o2, int64_t oi) {
    int64_t count = 1;
    if (include_pad) {
      const int64_t oo[3] = {o0, o1, o2};
      for (int d = 0; d < 3; ++d) {
        int64_t n = 0;
        for (int64_t k = 0; k < g.k[d]; ++k) {
          const int64_t i = oo[d] * g.s[d] - g.pb[d] + k * g.d[d];
          n += (i >= -g.pb[d] && i < g.in[d] + g.pe[d]) ? 1 : 0;
        }
        count *= n;
      }
    } else {
      count = 0;
      for_each_window(g, o0, o1, o2, [&](int64_t) { ++count; });
    }
    if (count == 0) return;
    const float v = dy[p * g.Sout + oi] / static_cast<float>(count);
    float* op = o + p * g.Sin;
    for_each_window(g, o0, o1, o2, [&](int64_t i) { op[i] += v; });
  });
  c.input_grads[0] = std::move(dx);
}

void global_average_pool_grad(GradContext& c) {
  if (!c.wants(0)) return;
  const Shape& xs = c.in(0).shape();
  const int64_t planes = xs[0] * xs[1], S = c.in(0).numel() / std::max<int64_t>(1, planes);
  const float* dy = c.gout().data<float>();
  Tensor dx(DType::F32, xs);
  float* o = dx.data<float>();
  for (int64_t p = 0; p < planes; ++p) {
    const float v = dy[p] / static_cast<float>(S);
    std::fill(o + p * S, o + (p + 1) * S, v);
  }
  c.input_grads[0] = std::move(dx);
}

void global_max_pool_grad(GradContext& c) {
  if (!c.wants(0)) return;
  const Shape& xs = c.in(0).shape();
  const int64_t planes = xs[0] * xs[1], S = c.in(0).numel() / std::max<int64_t>(1, planes);
  const float* x = c.in(0).data<float>();
  const float* dy = c.gout().data<float>();
  Tensor dx(DType::F32, xs);
  float* o = dx.data<float>();
  for (int64_t p = 0; p < planes; ++p) {
    if (S == 0) continue;
    const float* xp = x + p * S;
    const int64_t arg = std::max_element(xp, xp + S) - xp;  // first maximum
    o[p * S + arg] = dy[p];
  }
  c.input_grads[0] = std::move(dx);
}

}  // namespace

ETCH_REGISTER_GRAD("MaxPool", {max_pool_grad, max_pool_forward_train, {0}});
ETCH_REGISTER_GRAD("AveragePool", {average_pool_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("GlobalAveragePool", {global_average_pool_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("GlobalMaxPool", {global_max_pool_grad, nullptr, {0}});

}  // namespace etch::train::grads
