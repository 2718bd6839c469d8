// Pad kernel (constant, reflect, edge; negative pads crop), any dtype.
#include <algorithm>
#include <cstring>
#include <vector>

#include "etch/core/thread_pool.h"
#include "etch/ir/ops/nn_params.h"
#include "etch/runtime/kernel_overwrites.h"
#include "etch/runtime/kernel_registry.h"

namespace etch::runtime {
namespace {

template <typename T>
void pad(KernelContext& ctx) {
  const ir::Node& n = ctx.node();
  const Tensor& x = ctx.input(0);
  const ir::PadSpec s = ir::resolve_pad(n, x.rank(), ctx.has_input(1) ? &ctx.input(1) : nullptr,
                                        ctx.has_input(3) ? &ctx.input(3) : nullptr);
  T value = T(0);
  if (ctx.has_input(2) && ctx.input(2).numel() > 0)
    value = static_cast<T>(ctx.input(2).get_as_double(0));
  else if (!ctx.has_input(1))
    value = static_cast<T>(n.attr_float("value", 0.0f));
  Tensor& y = ctx.output(0);
  const int r = x.rank();
  if (y.numel() == 0) return;
  if (r == 0) {
    y.data<T>()[0] = x.data<T>()[0];
    return;
  }
  // Per dim: source index of each output index, or -1 for the constant.
  std::vector<std::vector<int64_t>> map(r);
  for (int d = 0; d < r; ++d) {
    const int64_t in = x.dim(d);
    for (int64_t o = 0; o < y.dim(d); ++o) {
      int64_t i = o - s.begin[d];
      if (i < 0 || i >= in) {
        if (s.mode == "constant" || in == 0)
          i = -1;
        else if (s.mode == "edge")
          i = i < 0 ? 0 : in - 1;
        else if (in == 1)
          i = 0;
        else {
          const int64_t period = 2 * (in - 1);
          i = ((i % period) + period) % period;
          if (i >= in) i = period - i;
        }
      }
      map[d].push_back(i);
    }
  }
  const std::vector<int64_t> xs = shape_strides(x.shape());
  const T* xv = x.data<T>();
  T* yv = y.data<T>();
  const int64_t rows = y.numel() / y.dim(r - 1), w = y.dim(r - 1);
  // In the last dim, outputs [j0, j1) are the input row shifted by begin: one copy.
  const int64_t shift = s.begin[r - 1];
  const int64_t j0 = std::clamp<int64_t>(shift, 0, w), j1 = std::clamp<int64_t>(shift + x.dim(r - 1), j0, w);
  const auto& last = map[r - 1];
  // Rows are independent; each is written from its own index, so chunks do not matter.
  parallel_for(rows, std::max<int64_t>(1, (int64_t{1} << 14) / std::max<int64_t>(1, w)), [&](int64_t r0, int64_t r1) {
    for (int64_t row = r0; row < r1; ++row) {
      bool constant_row = false;
      int64_t base = 0;
      for (int64_t d = r - 1, rem = row; d-- > 0;) {
        const int64_t i = map[d][rem % y.dim(d)];
        rem /= y.dim(d);
        if (i < 0) constant_row = true;
        base += i * xs[d];
      }
      T* dst = yv + row * w;
      if (constant_row) {
        std::fill(dst, dst + w, value);
        continue;
      }
      for (int64_t j = 0; j < j0; ++j) dst[j] = last[j] < 0 ? value : xv[base + last[j]];
      if (j1 > j0) std::memcpy(dst + j0, xv + base + (j0 - shift), static_cast<size_t>(j1 - j0) * sizeof(T));
      for (int64_t j = j1; j < w; ++j) dst[j] = last[j] < 0 ? value : xv[base + last[j]];
    }
  });
}

}  // namespace

ETCH_REGISTER_KERNEL("Pad", "", DType::F32, pad<float>);
ETCH_REGISTER_KERNEL("Pad", "", DType::I8, pad<int8_t>);
ETCH_REGISTER_KERNEL("Pad", "", DType::U8, pad<uint8_t>);
ETCH_REGISTER_KERNEL("Pad", "", DType::I32, pad<int32_t>);
ETCH_REGISTER_KERNEL("Pad", "", DType::I64, pad<int64_t>);
ETCH_REGISTER_KERNEL("Pad", "", DType::Bool, pad<bool>);
// Every output row is filled (constant rows) or written edge, copy, edge.
ETCH_KERNEL_OVERWRITES_OUTPUTS("Pad", "", DType::F32);
ETCH_KERNEL_OVERWRITES_OUTPUTS("Pad", "", DType::I8);
ETCH_KERNEL_OVERWRITES_OUTPUTS("Pad", "", DType::U8);

}  // namespace etch::runtime
