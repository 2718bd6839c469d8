// Helpers shared by the gradient rules in train/grads/.
#pragma once
#include <cstdint>
#include <vector>

#include "etch/core/tensor.h"
#include "etch/core/thread_pool.h"
#include "etch/train/gradient.h"

namespace etch::train::grads {

// Zero-filled float tensor of the given shape.
inline Tensor zeros_f32(const Shape& s) { return Tensor(DType::F32, s); }

// Materialises `t` broadcast (numpy rules) to `shape`; returns t itself when
// the shapes already match.
Tensor broadcast_to(const Tensor& t, const Shape& shape);

// `t` as float32 (a copy converted from any dtype; t itself when already f32).
Tensor to_f32(const Tensor& t);

// Indices 0..n-1, for variadic ops whose every input is differentiable.
std::vector<int> first_n(int n);

// Applies dx = f(x, y, dy) element-wise over same-shaped x, y (forward input and
// output) and dy, writing input gradient 0 when it is wanted.
template <typename F>
void unary_grad(GradContext& c, F&& f) {
  if (!c.wants(0)) return;
  const Tensor& x = c.in(0);
  const Tensor& y = c.outputs[0];
  const Tensor& dy = c.gout(0);
  Tensor dx = Tensor::uninitialized(DType::F32, x.shape());
  const float* xp = x.data<float>();
  const float* yp = y.data<float>();
  const float* gp = dy.data<float>();
  float* o = dx.data<float>();
  // Element-wise, so the split over threads cannot change a result.
  parallel_for(x.numel(), 16384, [&](int64_t a, int64_t b) {
    for (int64_t i = a; i < b; ++i) o[i] = f(xp[i], yp[i], gp[i]);
  });
  c.input_grads[0] = std::move(dx);
}

}  // namespace etch::train::grads
