// Resize / Upsample gradient. The forward resamples one axis at a time, each
// axis a linear map given by its tap lists (ir/ops/resize_taps.h), so the
// input's gradient is the transposed maps applied in reverse axis order: every
// output gradient is scattered back to the taps it was read from, times their
// weights (nearest: to the one input it copied; extrapolated outputs read no
// input and pass nothing back). The roi, scales and sizes inputs get none.
#include "etch/ir/ops/resize_taps.h"
#include "etch/train/grads/grad_util.h"

namespace etch::train::grads {
namespace {

// dst (shape with dim d = in_len) += the transpose of taps applied to src
// (shape with dim d = out_len), for every outer index and inner element.
void scatter_axis(const float* src, float* dst, const Shape& shape, size_t d, const ir::ResizeTaps& t, int64_t in_len) {
  int64_t outer = 1, inner = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i < d) outer *= shape[i];
    if (i > d) inner *= shape[i];
  }
  const int64_t out_len = shape[d];
  // Each outer slice writes only its own part of dst, so slices run in parallel.
  parallel_for(outer, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, out_len * inner)), [&](int64_t a, int64_t b) {
    for (int64_t o = a; o < b; ++o) {
      const float* s = src + o * out_len * inner;
      float* dd = dst + o * in_len * inner;
      for (int64_t x = 0; x < out_len; ++x)
        for (int64_t j = t.begin[x]; j < t.begin[x + 1]; ++j) {
          const float w = t.w[j];
          if (w == 0.0f) continue;
          float* row = dd + t.idx[j] * inner;
          const float* sr = s + x * inner;
          for (int64_t i = 0; i < inner; ++i) row[i] += w * sr[i];
        }
    }
  });
}

void resize_grad(GradContext& c) {
  if (!c.wants(0)) return;
  const Tensor& x = c.in(0);
  ir::ResizeSpec spec;
  const std::vector<ir::ResizeTaps> taps =
      ir::resize_node_taps(c.node, ir::resize_options(c.node), x.shape(), c.inputs, spec);
  Tensor g = c.gout(0);
  Shape shape = spec.out;
  for (size_t d = taps.size(); d-- > 0;) {
    if (taps[d].identity) continue;
    Shape prev = shape;
    prev[d] = x.dim(static_cast<int>(d));
    Tensor gi = zeros_f32(prev);
    scatter_axis(g.data<float>(), gi.data<float>(), shape, d, taps[d], prev[d]);
    g = std::move(gi);
    shape = std::move(prev);
  }
  // An all-identity resize passes the output gradient through, as Identity's rule does.
  c.input_grads[0] = std::move(g);
}

}  // namespace

ETCH_REGISTER_GRAD("Resize", {resize_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("Upsample", {resize_grad, nullptr, {0}});

}  // namespace etch::train::grads
