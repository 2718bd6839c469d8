// Trilu and EyeLike kernels, on the last two axes as a matrix (any dtype).
#include <cstring>

#include "etch/runtime/kernel_registry.h"
#include "etch/runtime/kernels/tensor_copy.h"

namespace etch::runtime {
namespace {

// Keeps the elements with j - i >= k (upper) or j - i <= k (lower); the output
// starts zero-filled, so only kept elements are copied.
void trilu(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  Tensor& out = ctx.output(0);
  const int64_t k = ctx.has_input(1) ? ctx.input(1).to_int64_vector()[0] : 0;
  const bool upper = ctx.node().attr_int("upper", 1) != 0;
  const int64_t rows = x.dim(-2), cols = x.dim(-1), mats = rows * cols == 0 ? 0 : x.numel() / (rows * cols);
  const size_t es = movable_elem_size(x.dtype(), ctx.node().describe());
  for (int64_t m = 0; m < mats; ++m)
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j)
        if (upper ? j - i >= k : j - i <= k) {
          const size_t at = static_cast<size_t>((m * rows + i) * cols + j) * es;
          std::memcpy(out.raw() + at, x.raw() + at, es);
        }
  out.set_quant(x.quant());
}

// Ones where j - i = k, zeros elsewhere, in the output's dtype.
void eye_like(KernelContext& ctx) {
  Tensor& out = ctx.output(0);
  const int64_t rows = out.dim(0), cols = out.dim(1), k = ctx.node().attr_int("k", 0);
  for (int64_t i = 0; i < rows; ++i)
    if (i + k >= 0 && i + k < cols) out.set_from_double(i * cols + i + k, 1.0);
}

}  // namespace

ETCH_REGISTER_KERNEL("Trilu", "", std::nullopt, trilu);
ETCH_REGISTER_KERNEL("EyeLike", "", std::nullopt, eye_like);

}  // namespace etch::runtime
