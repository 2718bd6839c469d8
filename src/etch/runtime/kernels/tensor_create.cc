// Reference kernels of Constant, ConstantOfShape and Range.
#include <cstring>

#include "etch/runtime/kernels/elementwise_common.h"

namespace etch::runtime {
namespace {

void constant_kernel(KernelContext& ctx) {
  const ir::Node& n = ctx.node();
  Tensor& out = ctx.output(0);
  if (const Tensor* t = n.attr_tensor("value")) {
    out = *t;  // attributes are immutable; sharing is safe
  } else if (n.has_attr("value_float")) {
    out.data<float>()[0] = n.attr_float("value_float", 0);
  } else if (n.has_attr("value_floats")) {
    const auto v = n.attr_floats("value_floats");
    std::copy(v.begin(), v.end(), out.data<float>());
  } else if (n.has_attr("value_int")) {
    out.data<int64_t>()[0] = n.attr_int("value_int", 0);
  } else {
    const auto v = n.attr_ints("value_ints");
    std::copy(v.begin(), v.end(), out.data<int64_t>());
  }
}

void constant_of_shape_kernel(KernelContext& ctx) {
  Tensor& out = ctx.output(0);
  const Tensor* value = ctx.node().attr_tensor("value");
  if (!value || out.numel() == 0) return;  // zero-filled already
  const size_t esz = dtype_size(out.dtype());
  uint8_t* dst = out.raw();
  for (int64_t i = 0; i < out.numel(); ++i) std::memcpy(dst + i * esz, value->raw(), esz);
}

void range_kernel(KernelContext& ctx) {
  Tensor& out = ctx.output(0);
  dispatch_numeric(out.dtype(), ctx, [&]<typename T>() {
    const T start = ctx.input(0).data<T>()[0], delta = ctx.input(2).data<T>()[0];
    T* o = out.data<T>();
    for (int64_t i = 0; i < out.numel(); ++i) o[i] = static_cast<T>(start + static_cast<T>(i) * delta);
  });
}

ETCH_REGISTER_KERNEL("Constant", "", std::nullopt, constant_kernel);
ETCH_REGISTER_KERNEL("ConstantOfShape", "", std::nullopt, constant_of_shape_kernel);
ETCH_REGISTER_KERNEL("Range", "", std::nullopt, range_kernel);

}  // namespace
}  // namespace etch::runtime
