// DepthToSpace and SpaceToDepth kernels: each is a reshape to six axes, a
// transpose and a reshape back, done as one strided copy (any dtype).
#include <array>

#include "etch/runtime/kernel_registry.h"
#include "etch/runtime/kernels/tensor_copy.h"

namespace etch::runtime {
namespace {

// Copies x viewed as `view` (dense, six axes), transposed by `perm`, into out.
void permuted_copy(KernelContext& ctx, const std::array<int64_t, 6>& view, const std::array<int, 6>& perm) {
  const Tensor& x = ctx.input(0);
  Tensor& out = ctx.output(0);
  const auto strides = shape_strides(Shape(view.begin(), view.end()));
  Shape shape(6);
  std::vector<int64_t> src(6);
  for (int d = 0; d < 6; ++d) {
    shape[d] = view[perm[d]];
    src[d] = strides[perm[d]];
  }
  strided_copy_to_dense(x.raw(), src, out.raw(), shape, movable_elem_size(x.dtype(), ctx.node().describe()));
  out.set_quant(x.quant());
}

void depth_to_space(KernelContext& ctx) {
  const Shape& s = ctx.input(0).shape();
  const int64_t b = ctx.node().attr_int("blocksize", 1), n = s[0], c = s[1] / (b * b), h = s[2], w = s[3];
  if (ctx.node().attr_string("mode", "DCR") == "DCR")  // channel = (bh * b + bw) * c_out + c
    permuted_copy(ctx, {n, b, b, c, h, w}, {0, 3, 4, 1, 5, 2});
  else  // CRD: channel = (c * b + bh) * b + bw
    permuted_copy(ctx, {n, c, b, b, h, w}, {0, 1, 4, 2, 5, 3});
}

void space_to_depth(KernelContext& ctx) {
  const Shape& s = ctx.input(0).shape();
  const int64_t b = ctx.node().attr_int("blocksize", 1);
  permuted_copy(ctx, {s[0], s[1], s[2] / b, b, s[3] / b, b}, {0, 3, 5, 1, 2, 4});
}

}  // namespace

ETCH_REGISTER_KERNEL("DepthToSpace", "", std::nullopt, depth_to_space);
ETCH_REGISTER_KERNEL("SpaceToDepth", "", std::nullopt, space_to_depth);

}  // namespace etch::runtime
