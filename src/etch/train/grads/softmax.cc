// Softmax / LogSoftmax gradients. Before opset 13 the input is coerced to 2-D at
// `axis` (default 1), so the normalised group is everything from axis on; from
// 13 it is the single dim `axis` (default -1).
#include <cmath>

#include "etch/ir/op_registry.h"
#include "etch/train/grads/grad_util.h"

namespace etch::train::grads {
namespace {

// Elements of one normalised group sit at base + k * inner, k < len.
struct Groups {
  int64_t outer = 1, len = 1, inner = 1;
};

Groups groups(const GradContext& c) {
  const Shape& s = c.in(0).shape();
  const int64_t r = static_cast<int64_t>(s.size());
  const bool legacy = ir::current_opset() < 13;
  const int64_t axis = ir::normalize_axis(c.node.attr_int("axis", legacy ? 1 : -1), r, c.node);
  Groups g;
  for (int64_t d = 0; d < axis; ++d) g.outer *= s[d];
  g.len = s[axis];
  for (int64_t d = axis + 1; d < r; ++d) (legacy ? g.len : g.inner) *= s[d];
  return g;
}

// log == false: dx = y * (dy - sum(dy * y)); log == true: dx = dy - exp(y) * sum(dy).
void softmax_like_grad(GradContext& c, bool log) {
  if (!c.wants(0)) return;
  const Groups gr = groups(c);
  const float* y = c.outputs[0].data<float>();
  const float* g = c.gout().data<float>();
  Tensor dx(DType::F32, c.in(0).shape());
  float* o = dx.data<float>();
  for (int64_t a = 0; a < gr.outer; ++a)
    for (int64_t i = 0; i < gr.inner; ++i) {
      const int64_t base = a * gr.len * gr.inner + i;
      double s = 0;
      for (int64_t k = 0; k < gr.len; ++k) {
        const int64_t p = base + k * gr.inner;
        s += log ? g[p] : static_cast<double>(g[p]) * y[p];
      }
      const float sf = static_cast<float>(s);
      for (int64_t k = 0; k < gr.len; ++k) {
        const int64_t p = base + k * gr.inner;
        o[p] = log ? g[p] - std::exp(y[p]) * sf : y[p] * (g[p] - sf);
      }
    }
  c.input_grads[0] = std::move(dx);
}

void softmax_grad(GradContext& c) { softmax_like_grad(c, false); }
void log_softmax_grad(GradContext& c) { softmax_like_grad(c, true); }

}  // namespace

ETCH_REGISTER_GRAD("Softmax", {softmax_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("LogSoftmax", {log_softmax_grad, nullptr, {0}});

}  // namespace etch::train::grads
