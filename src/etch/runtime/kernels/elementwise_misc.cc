// Reference kernels of Cast, Identity, Dropout (inference) and Hardmax.
#include <cmath>
#include <limits>

#include "etch/ir/op_registry.h"
#include "etch/runtime/kernels/elementwise_common.h"

namespace etch::runtime {
namespace {

// Float to integer truncates toward zero (ONNX leaves out-of-range results
// undefined; etch goes through int64 and wraps like numpy on x86, NaN -> 0).
template <typename From, typename To>
To convert(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else if constexpr (std::is_floating_point_v<From> && !std::is_floating_point_v<To>) {
    if (std::isnan(v)) return To(0);
    const double t = std::trunc(static_cast<double>(v));
    const double lim = 9.2233720368547758e18;
    const int64_t i = t >= lim ? std::numeric_limits<int64_t>::max()
                               : (t <= -lim ? std::numeric_limits<int64_t>::min() : static_cast<int64_t>(t));
    return static_cast<To>(i);
  } else {
    return static_cast<To>(v);
  }
}

void cast_kernel(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  Tensor& out = ctx.output(0);
  dispatch_any(x.dtype(), ctx, [&]<typename From>() {
    dispatch_any(out.dtype(), ctx, [&]<typename To>() {
      map_elements(x.data<From>(), out.data<To>(), x.numel(), [](From v) { return convert<From, To>(v); });
    });
  });
}

// Outputs that only relabel data share the input's storage (kernels never write
// their inputs) and keep its quantization parameters.
void identity_kernel(KernelContext& ctx) { ctx.output(0) = ctx.input(0).reshaped(ctx.output(0).shape()); }

void dropout_kernel(KernelContext& ctx) {
  if (ctx.has_input(2) && ctx.input(2).numel() > 0 && ctx.input(2).get_as_double(0) != 0) {
    const double ratio = ctx.has_input(1) && ctx.input(1).numel() > 0 ? ctx.input(1).get_as_double(0) : 0.5;
    ETCH_REQUIRE(ratio == 0, Unsupported) << ctx.node().describe() << ": training_mode=true with ratio " << ratio
                                          << " is not supported (etch runs Dropout for inference)";
  }
  ctx.output(0) = ctx.input(0).reshaped(ctx.output(0).shape());
  if (ctx.num_outputs() > 1) {
    Tensor& mask = ctx.output(1);
    bool* m = mask.data<bool>();
    for (int64_t i = 0; i < mask.numel(); ++i) m[i] = true;
  }
}

// Before opset 13 the input is coerced to 2-D at `axis` (default 1); from 13
// the op works along `axis` (default -1).
void hardmax_kernel(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  ETCH_REQUIRE(x.dtype() == DType::F32, Unsupported) << ctx.node().describe() << ": float32 input expected";
  const bool coerce = ir::current_opset() < 13;
  const int64_t rank = x.rank();
  const int64_t axis = ir::normalize_axis(ctx.node().attr_int("axis", coerce ? 1 : -1), rank, ctx.node());
  int64_t outer = 1, n = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x.shape()[d];
  if (coerce) {
    for (int64_t d = axis; d < rank; ++d) n *= x.shape()[d];
  } else {
    n = rank ? x.shape()[axis] : 1;
    for (int64_t d = axis + 1; d < rank; ++d) inner *= x.shape()[d];
  }
  const float* in = x.data<float>();
  float* out = ctx.output(0).data<float>();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const float* row = in + o * n * inner + i;
      int64_t best = 0;
      for (int64_t k = 1; k < n; ++k)
        if (row[k * inner] > row[best * inner]) best = k;
      if (n > 0) out[o * n * inner + i + best * inner] = 1.0f;
    }
}

ETCH_REGISTER_KERNEL("Cast", "", std::nullopt, cast_kernel);
ETCH_REGISTER_KERNEL("Identity", "", std::nullopt, identity_kernel);
ETCH_REGISTER_KERNEL("Dropout", "", std::nullopt, dropout_kernel);
ETCH_REGISTER_KERNEL("Hardmax", "", std::nullopt, hardmax_kernel);

}  // namespace
}  // namespace etch::runtime
