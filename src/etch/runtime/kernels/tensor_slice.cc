// Reference kernels of Concat, Split, Slice and Gather; all are strided copies
// of whole inner runs, dtype-agnostic, keeping the input's quantization.
#include <cstring>

#include "etch/core/thread_pool.h"
#include "etch/ir/op_registry.h"
#include "etch/ir/ops/tensor_slice_params.h"
#include "etch/runtime/kernel_overwrites.h"
#include "etch/runtime/kernel_registry.h"
#include "etch/runtime/kernels/tensor_copy.h"

namespace etch::runtime {
namespace {

void concat_kernel(KernelContext& ctx) {
  Tensor& out = ctx.output(0);
  const int rank = out.rank();
  const int64_t axis = ir::normalize_axis(ctx.node().attr_int("axis", 0), rank, ctx.node());
  const size_t esz = movable_elem_size(out.dtype(), ctx.node().describe());
  const auto ost = shape_strides(out.shape());
  int64_t offset = 0;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const Tensor& x = ctx.input(i);
    strided_copy(x.raw(), shape_strides(x.shape()), out.raw() + offset * ost[axis] * esz, ost, x.shape(), esz);
    offset += x.shape()[axis];
  }
  out.set_quant(ctx.input(0).quant());
}

void split_kernel(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int64_t axis = ir::normalize_axis(ctx.node().attr_int("axis", 0), x.rank(), ctx.node());
  const size_t esz = movable_elem_size(x.dtype(), ctx.node().describe());
  const auto ist = shape_strides(x.shape());
  int64_t offset = 0;
  for (size_t i = 0; i < ctx.num_outputs(); ++i) {
    Tensor& out = ctx.output(i);
    strided_copy_to_dense(x.raw() + offset * ist[axis] * esz, ist, out.raw(), out.shape(), esz);
    offset += out.shape()[axis];
    out.set_quant(x.quant());
  }
}

void slice_kernel(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  Tensor& out = ctx.output(0);
  std::vector<const Tensor*> values;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) values.push_back(ctx.has_input(i) ? &ctx.input(i) : nullptr);
  auto axes = ir::resolve_slice(ctx.node(), x.shape(), values);
  ETCH_CHECK(axes) << ctx.node().describe() << ": slice parameters unknown at run time";
  const size_t esz = movable_elem_size(x.dtype(), ctx.node().describe());
  const auto ist = shape_strides(x.shape());
  int64_t base = 0;
  std::vector<int64_t> src(x.rank());
  for (int d = 0; d < x.rank(); ++d) {
    base += (*axes)[d].start * ist[d];
    src[d] = (*axes)[d].step * ist[d];
  }
  if (out.numel() > 0) strided_copy_to_dense(x.raw() + base * esz, src, out.raw(), out.shape(), esz);
  out.set_quant(x.quant());
}

void gather_kernel(KernelContext& ctx) {
  const Tensor& data = ctx.input(0);
  const Tensor& indices = ctx.input(1);
  Tensor& out = ctx.output(0);
  const int64_t axis = ir::normalize_axis(ctx.node().attr_int("axis", 0), data.rank(), ctx.node());
  const size_t esz = movable_elem_size(data.dtype(), ctx.node().describe());
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= data.shape()[d];
  for (int64_t d = axis + 1; d < data.rank(); ++d) inner *= data.shape()[d];
  const int64_t dim = data.shape()[axis];
  std::vector<int64_t> idx = indices.to_int64_vector();
  for (int64_t& i : idx) {
    if (i < -dim || i >= dim)
      ctx.fail("index " + std::to_string(i) + " is out of range for axis " + std::to_string(axis) + " of size " +
               std::to_string(dim));
    if (i < 0) i += dim;
  }
  const int64_t n = static_cast<int64_t>(idx.size());
  const size_t run = inner * esz;
  const uint8_t* src = data.raw();
  uint8_t* dst = out.raw();
  parallel_for(outer * n, std::max<int64_t>(1, (int64_t{1} << 16) / std::max<int64_t>(1, inner)),
               [&](int64_t b, int64_t e) {
                 for (int64_t r = b; r < e; ++r) {
                   const int64_t o = r / n, k = r % n;
                   std::memcpy(dst + r * run, src + (o * dim + idx[k]) * run, run);
                 }
               });
  out.set_quant(data.quant());
}

ETCH_REGISTER_KERNEL("Concat", "", std::nullopt, concat_kernel);
ETCH_REGISTER_KERNEL("Split", "", std::nullopt, split_kernel);
ETCH_REGISTER_KERNEL("Slice", "", std::nullopt, slice_kernel);
ETCH_REGISTER_KERNEL("Gather", "", std::nullopt, gather_kernel);
// Each writes every element of its outputs (Concat's inputs fill the axis).
ETCH_KERNEL_OVERWRITES_OUTPUTS_NUMERIC("Concat");
ETCH_KERNEL_OVERWRITES_OUTPUTS_NUMERIC("Split");
ETCH_KERNEL_OVERWRITES_OUTPUTS_NUMERIC("Slice");
ETCH_KERNEL_OVERWRITES_OUTPUTS_NUMERIC("Gather");

}  // namespace
}  // namespace etch::runtime
