// OneHot kernel: indices of any numeric dtype (negative ones count from the
// end, out-of-range ones give a row of `off`), values of any dtype.
#include <cmath>
#include <cstring>

#include "etch/ir/op_registry.h"
#include "etch/runtime/kernel_registry.h"
#include "etch/runtime/kernels/tensor_copy.h"

namespace etch::runtime {
namespace {

void onehot(KernelContext& ctx) {
  const Tensor& idx = ctx.input(0);
  const Tensor& values = ctx.input(2);
  Tensor& out = ctx.output(0);
  const int64_t depth = static_cast<int64_t>(ctx.input(1).get_as_double(0));
  const int64_t axis = ir::normalize_axis(ctx.node().attr_int("axis", -1), out.rank(), ctx.node());
  // out viewed as [outer, depth, inner]; indices as [outer, inner].
  int64_t inner = 1;
  for (int d = static_cast<int>(axis) + 1; d < out.rank(); ++d) inner *= out.dim(d);
  const int64_t outer = inner == 0 || depth == 0 ? 0 : out.numel() / (depth * inner);
  const size_t es = movable_elem_size(values.dtype(), ctx.node().describe());
  const uint8_t* off = values.raw();
  const uint8_t* on = values.raw() + es;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto index = static_cast<int64_t>(std::trunc(idx.get_as_double(o * inner + i)));
      if (index < 0) index += depth;
      for (int64_t d = 0; d < depth; ++d)
        std::memcpy(out.raw() + static_cast<size_t>((o * depth + d) * inner + i) * es, d == index ? on : off, es);
    }
}

}  // namespace

ETCH_REGISTER_KERNEL("OneHot", "", std::nullopt, onehot);

}  // namespace etch::runtime
