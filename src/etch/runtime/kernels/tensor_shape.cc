// Reference kernels of the layout ops. Reshape-like ops relabel the input's
// storage; Transpose, Expand and Tile are strided copies; Shape and Size report.
#include <algorithm>

#include "etch/runtime/kernel_overwrites.h"
#include "etch/runtime/kernel_registry.h"
#include "etch/runtime/kernels/tensor_copy.h"

namespace etch::runtime {
namespace {

// Reshape, Flatten, Squeeze, Unsqueeze: same bytes, the inferred shape.
void relabel_kernel(KernelContext& ctx) { ctx.output(0) = ctx.input(0).reshaped(ctx.output(0).shape()); }

void transpose_kernel(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  Tensor& out = ctx.output(0);
  const int rank = x.rank();
  std::vector<int64_t> perm = ctx.node().attr_ints("perm");
  if (perm.empty())
    for (int d = rank - 1; d >= 0; --d) perm.push_back(d);
  const auto in_strides = shape_strides(x.shape());
  std::vector<int64_t> src(rank);
  for (int d = 0; d < rank; ++d) src[d] = in_strides[perm[d] < 0 ? perm[d] + rank : perm[d]];
  strided_copy_to_dense(x.raw(), src, out.raw(), out.shape(), movable_elem_size(x.dtype(), ctx.node().describe()));
  out.set_quant(x.quant());
}

// Source strides of `in` right-aligned against `out`, 0 where broadcast.
std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out) {
  const auto st = shape_strides(in);
  std::vector<int64_t> s(out.size(), 0);
  const size_t off = out.size() - in.size();
  for (size_t d = 0; d < in.size(); ++d) s[off + d] = in[d] == 1 ? 0 : st[d];
  return s;
}

void expand_kernel(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  Tensor& out = ctx.output(0);
  strided_copy_to_dense(x.raw(), broadcast_strides(x.shape(), out.shape()), out.raw(), out.shape(),
                        movable_elem_size(x.dtype(), ctx.node().describe()));
  out.set_quant(x.quant());
}

// Tile viewed as a copy into [r0, d0, r1, d1, ...], whose dense layout is the
// output's, reading with stride 0 over each repeat dim.
void tile_kernel(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  Tensor& out = ctx.output(0);
  const auto st = shape_strides(x.shape());
  Shape view;
  std::vector<int64_t> src;
  for (int d = 0; d < x.rank(); ++d) {
    const int64_t reps = x.shape()[d] == 0 ? 0 : out.shape()[d] / x.shape()[d];
    view.push_back(reps);
    src.push_back(0);
    view.push_back(x.shape()[d]);
    src.push_back(st[d]);
  }
  if (out.numel() > 0)
    strided_copy_to_dense(x.raw(), src, out.raw(), view, movable_elem_size(x.dtype(), ctx.node().describe()));
  out.set_quant(x.quant());
}

void shape_kernel(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int64_t rank = x.rank();
  int64_t start = ctx.node().attr_int("start", 0);
  if (start < 0) start += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  Tensor& out = ctx.output(0);
  int64_t* o = out.data<int64_t>();
  for (int64_t i = 0; i < out.numel(); ++i) o[i] = x.shape()[start + i];
}

void size_kernel(KernelContext& ctx) { ctx.output(0).data<int64_t>()[0] = ctx.input(0).numel(); }

ETCH_REGISTER_KERNEL("Reshape", "", std::nullopt, relabel_kernel);
ETCH_REGISTER_KERNEL("Flatten", "", std::nullopt, relabel_kernel);
ETCH_REGISTER_KERNEL("Squeeze", "", std::nullopt, relabel_kernel);
ETCH_REGISTER_KERNEL("Unsqueeze", "", std::nullopt, relabel_kernel);
ETCH_REGISTER_KERNEL("Transpose", "", std::nullopt, transpose_kernel);
// A relabel replaces its output by the input's bytes, a transpose writes every
// element: neither needs it zero-filled first.
ETCH_KERNEL_OVERWRITES_OUTPUTS_NUMERIC("Reshape");
ETCH_KERNEL_OVERWRITES_OUTPUTS_NUMERIC("Flatten");
ETCH_KERNEL_OVERWRITES_OUTPUTS_NUMERIC("Squeeze");
ETCH_KERNEL_OVERWRITES_OUTPUTS_NUMERIC("Unsqueeze");
ETCH_KERNEL_OVERWRITES_OUTPUTS_NUMERIC("Transpose");
ETCH_REGISTER_KERNEL("Expand", "", std::nullopt, expand_kernel);
ETCH_REGISTER_KERNEL("Tile", "", std::nullopt, tile_kernel);
ETCH_REGISTER_KERNEL("Shape", "", std::nullopt, shape_kernel);
ETCH_REGISTER_KERNEL("Size", "", std::nullopt, size_kernel);

}  // namespace
}  // namespace etch::runtime
