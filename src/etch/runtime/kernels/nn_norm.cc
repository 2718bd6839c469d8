// BatchNormalization (inference), InstanceNormalization, LayerNormalization kernels.
#include <algorithm>
#include <cmath>
#include <vector>

#include "etch/core/thread_pool.h"
#include "etch/ir/op_registry.h"
#include "etch/runtime/kernel_overwrites.h"
#include "etch/runtime/kernel_registry.h"

namespace etch::runtime {
namespace {

// Mean and 1/sqrt(variance + eps) of n floats, accumulated in double.
struct Moments {
  double mean, inv_std;
};
Moments moments(const float* x, int64_t n, double eps) {
  double sum = 0.0, sq = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += x[i];
  const double mean = sum / static_cast<double>(n);
  for (int64_t i = 0; i < n; ++i) sq += (x[i] - mean) * (x[i] - mean);
  return {mean, 1.0 / std::sqrt(sq / static_cast<double>(n) + eps)};
}

void batchnorm_f32(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const float eps = ctx.node().attr_float("epsilon", 1e-5f);
  const int64_t batch = x.dim(0), ch = x.dim(1), sz = x.numel() / std::max<int64_t>(1, batch * ch);
  const float* scale = ctx.input(1).data<float>();
  const float* bias = ctx.input(2).data<float>();
  const float* mean = ctx.input(3).data<float>();
  const float* var = ctx.input(4).data<float>();
  // y = (x - mean) / sqrt(var + eps) * scale + bias = x * a + b
  std::vector<float> a(ch), b(ch);
  for (int64_t c = 0; c < ch; ++c) {
    a[c] = scale[c] / std::sqrt(var[c] + eps);
    b[c] = bias[c] - mean[c] * a[c];
  }
  const float* xv = x.data<float>();
  float* yv = ctx.output(0).data<float>();
  parallel_for(batch * ch, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, sz)), [&](int64_t i0, int64_t i1) {
    for (int64_t it = i0; it < i1; ++it) {
      const float ac = a[it % ch], bc = b[it % ch];
      const float* src = xv + it * sz;
      float* dst = yv + it * sz;
      for (int64_t i = 0; i < sz; ++i) dst[i] = src[i] * ac + bc;
    }
  });
  // Optional running-statistics outputs of old opsets: in inference mode, the given ones.
  for (size_t o = 1; o < ctx.num_outputs(); ++o) {
    const float* src = ctx.input(o == 1 ? 3 : o == 2 ? 4 : o == 3 ? 3 : 4).data<float>();
    std::copy(src, src + ch, ctx.output(o).data<float>());
  }
}

void instancenorm_f32(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const float eps = ctx.node().attr_float("epsilon", 1e-5f);
  const int64_t batch = x.dim(0), ch = x.dim(1), sz = x.numel() / std::max<int64_t>(1, batch * ch);
  const float* scale = ctx.input(1).data<float>();
  const float* bias = ctx.input(2).data<float>();
  const float* xv = x.data<float>();
  float* yv = ctx.output(0).data<float>();
  parallel_for(batch * ch, 1, [&](int64_t i0, int64_t i1) {
    for (int64_t it = i0; it < i1; ++it) {
      const float* src = xv + it * sz;
      const auto [mean, inv] = moments(src, sz, eps);
      const float a = static_cast<float>(scale[it % ch] * inv);
      const float b = static_cast<float>(bias[it % ch] - mean * scale[it % ch] * inv);
      float* dst = yv + it * sz;
      for (int64_t i = 0; i < sz; ++i) dst[i] = src[i] * a + b;
    }
  });
}

// `t` (right-aligned, dims of 1 repeated) expanded to `shape`, as a dense vector.
std::vector<float> expanded(const Tensor& t, const Shape& shape) {
  std::vector<float> out(static_cast<size_t>(shape_numel(shape)));
  const auto src_strides = shape_strides(t.shape());
  const size_t off = shape.size() - t.shape().size();
  const float* v = t.data<float>();
  for (size_t i = 0; i < out.size(); ++i) {
    int64_t rem = static_cast<int64_t>(i), src = 0;
    for (size_t d = shape.size(); d-- > 0;) {
      const int64_t coord = rem % shape[d];
      rem /= shape[d];
      if (d >= off && t.shape()[d - off] != 1) src += coord * src_strides[d - off];
    }
    out[i] = v[src];
  }
  return out;
}

// Y = (x - mean) / sqrt(var + eps) * scale + B over the axes from `axis` on;
// the statistics in double, the optional outputs Mean and InvStdDev in float.
void layernorm_f32(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int64_t axis = ir::normalize_axis(ctx.node().attr_int("axis", -1), x.rank(), ctx.node());
  const double eps = ctx.node().attr_float("epsilon", 1e-5f);
  const Shape normalized(x.shape().begin() + axis, x.shape().end());
  const int64_t inner = shape_numel(normalized), outer = inner == 0 ? 0 : x.numel() / inner;
  const std::vector<float> scale = expanded(ctx.input(1), normalized);
  const std::vector<float> bias =
      ctx.has_input(2) ? expanded(ctx.input(2), normalized) : std::vector<float>(inner, 0.0f);
  const float* xv = x.data<float>();
  float* yv = ctx.output(0).data<float>();
  float* mean_out = ctx.num_outputs() > 1 ? ctx.output(1).data<float>() : nullptr;
  float* inv_out = ctx.num_outputs() > 2 ? ctx.output(2).data<float>() : nullptr;
  parallel_for(outer, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, inner)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* src = xv + r * inner;
      const auto [mean, inv] = moments(src, inner, eps);
      float* dst = yv + r * inner;
      for (int64_t i = 0; i < inner; ++i) dst[i] = static_cast<float>((src[i] - mean) * inv * scale[i] + bias[i]);
      if (mean_out) mean_out[r] = static_cast<float>(mean);
      if (inv_out) inv_out[r] = static_cast<float>(inv);
    }
  });
}

}  // namespace

ETCH_REGISTER_KERNEL("LayerNormalization", "", DType::F32, layernorm_f32);
ETCH_KERNEL_OVERWRITES_OUTPUTS("LayerNormalization", "", DType::F32);
ETCH_REGISTER_KERNEL("BatchNormalization", "", DType::F32, batchnorm_f32);
ETCH_REGISTER_KERNEL("InstanceNormalization", "", DType::F32, instancenorm_f32);
ETCH_KERNEL_OVERWRITES_OUTPUTS("BatchNormalization", "", DType::F32);
ETCH_KERNEL_OVERWRITES_OUTPUTS("InstanceNormalization", "", DType::F32);

}  // namespace etch::runtime
