// Softmax, LogSoftmax, Hardmax kernels. Before opset 13 these coerce the input
// to 2-D at `axis` (default 1) and normalize over the whole trailing block;
// from 13 on they normalize along `axis` alone (default -1).
#include <algorithm>
#include <cmath>

#include "etch/core/thread_pool.h"
#include "etch/ir/op_registry.h"
#include "etch/runtime/kernel_registry.h"

namespace etch::runtime {
namespace {

enum class Kind { Softmax, LogSoftmax, Hardmax };

template <Kind kKind>
void softmax_f32(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const bool new_form = ir::current_opset() >= 13;
  const int64_t rank = x.rank();
  const int64_t axis = ir::normalize_axis(ctx.node().attr_int("axis", new_form ? -1 : 1), rank, ctx.node());
  int64_t outer = 1, len = 1, inner = 1;
  for (int64_t d = 0; d < rank; ++d) {
    if (d < axis)
      outer *= x.dim(d);
    else if (d == axis || !new_form)
      len *= x.dim(d);
    else
      inner *= x.dim(d);
  }
  const float* xv = x.data<float>();
  float* yv = ctx.output(0).data<float>();
  parallel_for(outer * inner, std::max<int64_t>(1, 8192 / std::max<int64_t>(1, len)), [&](int64_t a, int64_t b) {
    for (int64_t it = a; it < b; ++it) {
      const int64_t o = it / inner, i = it % inner;
      const float* src = xv + o * len * inner + i;
      float* dst = yv + o * len * inner + i;
      float mx = -INFINITY;
      int64_t arg = 0;
      for (int64_t j = 0; j < len; ++j)
        if (src[j * inner] > mx) {
          mx = src[j * inner];
          arg = j;
        }
      if constexpr (kKind == Kind::Hardmax) {
        for (int64_t j = 0; j < len; ++j) dst[j * inner] = j == arg ? 1.0f : 0.0f;
      } else {
        float sum = 0.0f;
        for (int64_t j = 0; j < len; ++j) {
          const float e = std::exp(src[j * inner] - mx);
          if constexpr (kKind == Kind::Softmax) dst[j * inner] = e;
          sum += e;
        }
        if constexpr (kKind == Kind::Softmax) {
          const float inv = 1.0f / sum;
          for (int64_t j = 0; j < len; ++j) dst[j * inner] *= inv;
        } else {
          const float lse = std::log(sum);
          for (int64_t j = 0; j < len; ++j) dst[j * inner] = src[j * inner] - mx - lse;
        }
      }
    }
  });
}

}  // namespace

ETCH_REGISTER_KERNEL("Softmax", "", DType::F32, softmax_f32<Kind::Softmax>);
ETCH_REGISTER_KERNEL("LogSoftmax", "", DType::F32, softmax_f32<Kind::LogSoftmax>);
ETCH_REGISTER_KERNEL("Hardmax", "", DType::F32, softmax_f32<Kind::Hardmax>);

}  // namespace etch::runtime
