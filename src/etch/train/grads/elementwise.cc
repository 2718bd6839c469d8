// Gradients of broadcasting binary (and variadic) arithmetic. The gradient is
// formed at the output's shape, then summed back to each operand's shape.
#include <cmath>
#include <vector>

#include "etch/train/grads/grad_util.h"

namespace etch::train::grads {
namespace {

// dx = reduce_to_shape(f(i) for every output element i).
template <typename F>
Tensor full_then_reduce(const Tensor& gout, const Shape& to, F&& f) {
  Tensor full(DType::F32, gout.shape());
  float* o = full.data<float>();
  const int64_t n = full.numel();
  for (int64_t i = 0; i < n; ++i) o[i] = f(i);
  return reduce_to_shape(full, to);
}

void add_grad(GradContext& c) {
  for (int i = 0; i < 2; ++i)
    if (c.wants(i)) c.input_grads[i] = reduce_to_shape(c.gout(), c.in(i).shape());
}

void sub_grad(GradContext& c) {
  if (c.wants(0)) c.input_grads[0] = reduce_to_shape(c.gout(), c.in(0).shape());
  if (c.wants(1)) {
    const float* g = c.gout().data<float>();
    c.input_grads[1] = full_then_reduce(c.gout(), c.in(1).shape(), [g](int64_t i) { return -g[i]; });
  }
}

void mul_grad(GradContext& c) {
  const Shape& out = c.gout().shape();
  const float* g = c.gout().data<float>();
  for (int i = 0; i < 2; ++i) {
    if (!c.wants(i)) continue;
    const Tensor other = broadcast_to(c.in(1 - i), out);
    const float* b = other.data<float>();
    c.input_grads[i] = full_then_reduce(c.gout(), c.in(i).shape(), [g, b](int64_t k) { return g[k] * b[k]; });
  }
}

// y = a / b: da = g / b, db = -g * y / b.
void div_grad(GradContext& c) {
  const Shape& out = c.gout().shape();
  const float* g = c.gout().data<float>();
  const Tensor b = broadcast_to(c.in(1), out);
  const float* bp = b.data<float>();
  if (c.wants(0))
    c.input_grads[0] = full_then_reduce(c.gout(), c.in(0).shape(), [g, bp](int64_t k) { return g[k] / bp[k]; });
  if (c.wants(1)) {
    const float* y = c.outputs[0].data<float>();
    c.input_grads[1] =
        full_then_reduce(c.gout(), c.in(1).shape(), [g, bp, y](int64_t k) { return -g[k] * y[k] / bp[k]; });
  }
}

// y = a^p: only the base is differentiable (the exponent is a constant, and
// listing it would make it a trainable parameter).
void pow_grad(GradContext& c) {
  if (!c.wants(0)) return;
  const Shape& out = c.gout().shape();
  const float* g = c.gout().data<float>();
  const Tensor a = broadcast_to(c.in(0), out);
  const Tensor p = broadcast_to(to_f32(c.in(1)), out);
  const float* ap = a.data<float>();
  const float* pp = p.data<float>();
  c.input_grads[0] = full_then_reduce(c.gout(), c.in(0).shape(), [g, ap, pp](int64_t k) {
    if (pp[k] == 0.0f) return 0.0f;
    if (pp[k] == 1.0f) return g[k];
    if (pp[k] == 2.0f) return 2.0f * ap[k] * g[k];
    return g[k] * pp[k] * std::pow(ap[k], pp[k] - 1.0f);
  });
}

// y = x > 0 ? x : slope * x, slope broadcast to x.
void prelu_grad(GradContext& c) {
  const Shape& out = c.gout().shape();
  const float* g = c.gout().data<float>();
  const Tensor x = broadcast_to(c.in(0), out);
  const float* xp = x.data<float>();
  if (c.wants(0)) {
    const Tensor s = broadcast_to(c.in(1), out);
    const float* sp = s.data<float>();
    c.input_grads[0] =
        full_then_reduce(c.gout(), c.in(0).shape(), [g, xp, sp](int64_t k) { return xp[k] > 0 ? g[k] : sp[k] * g[k]; });
  }
  if (c.wants(1))
    c.input_grads[1] =
        full_then_reduce(c.gout(), c.in(1).shape(), [g, xp](int64_t k) { return xp[k] > 0 ? 0.0f : xp[k] * g[k]; });
}

// Sum / Mean of any number of broadcast operands.
void sum_grad(GradContext& c) {
  for (size_t i = 0; i < c.inputs.size(); ++i)
    if (c.wants(i)) c.input_grads[i] = reduce_to_shape(c.gout(), c.in(i).shape());
}

void mean_grad(GradContext& c) {
  const float inv = 1.0f / static_cast<float>(c.inputs.size());
  const float* g = c.gout().data<float>();
  for (size_t i = 0; i < c.inputs.size(); ++i)
    if (c.wants(i))
      c.input_grads[i] = full_then_reduce(c.gout(), c.in(i).shape(), [g, inv](int64_t k) { return g[k] * inv; });
}

// Max / Min of any number of broadcast operands: each output element's gradient
// goes to the operand that gave it, the first one on a tie (ReLU's convention
// at 0: one operand gets it, never both).
void extremum_grad(GradContext& c) {
  const Shape& out = c.gout().shape();
  const float* g = c.gout().data<float>();
  const float* y = c.outputs[0].data<float>();
  const int64_t n = c.gout().numel();
  std::vector<int> owner(static_cast<size_t>(n), -1);
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    const Tensor b = broadcast_to(c.in(i), out);
    const float* bp = b.data<float>();
    for (int64_t k = 0; k < n; ++k)
      if (owner[k] < 0 && bp[k] == y[k]) owner[k] = static_cast<int>(i);
  }
  for (size_t i = 0; i < c.inputs.size(); ++i)
    if (c.wants(i))
      c.input_grads[i] = full_then_reduce(c.gout(), c.in(i).shape(), [g, &owner, i](int64_t k) {
        return owner[k] == static_cast<int>(i) ? g[k] : 0.0f;
      });
}

}  // namespace

ETCH_REGISTER_GRAD("Add", {add_grad, nullptr, {0, 1}});
ETCH_REGISTER_GRAD("Sub", {sub_grad, nullptr, {0, 1}});
ETCH_REGISTER_GRAD("Mul", {mul_grad, nullptr, {0, 1}});
ETCH_REGISTER_GRAD("Div", {div_grad, nullptr, {0, 1}});
ETCH_REGISTER_GRAD("Pow", {pow_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("PRelu", {prelu_grad, nullptr, {0, 1}, {1}});
ETCH_REGISTER_GRAD("Sum", {sum_grad, nullptr, first_n(64)});
ETCH_REGISTER_GRAD("Mean", {mean_grad, nullptr, first_n(64)});
ETCH_REGISTER_GRAD("Max", {extremum_grad, nullptr, first_n(64)});
ETCH_REGISTER_GRAD("Min", {extremum_grad, nullptr, first_n(64)});

}  // namespace etch::train::grads
