// Reference kernels of the one-input element-wise ops. Each op is a small
// functor built once from the node's attributes and inlined into a parallel
// loop; float-only ops refuse other dtypes naming the node.
#include <cmath>
#include <limits>

#include "etch/runtime/kernel_overwrites.h"
#include "etch/runtime/kernels/elementwise_common.h"

namespace etch::runtime {
namespace {

using ir::Node;

// ---- float32 activations and math ---------------------------------------
struct NoAttrs {
  explicit NoAttrs(const Node&) {}
};
#define ETCH_FLOAT_UNARY(Name, expr)                 \
  struct Name : NoAttrs {                            \
    using NoAttrs::NoAttrs;                          \
    float operator()(float x) const { return expr; } \
  };
ETCH_FLOAT_UNARY(Sigmoid, x >= 0 ? 1.0f / (1.0f + std::exp(-x)) : std::exp(x) / (1.0f + std::exp(x)))
ETCH_FLOAT_UNARY(Tanh, std::tanh(x))
ETCH_FLOAT_UNARY(Softplus, x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)))
ETCH_FLOAT_UNARY(Softsign, x / (1.0f + std::fabs(x)))
ETCH_FLOAT_UNARY(Sqrt, std::sqrt(x))
ETCH_FLOAT_UNARY(Exp, std::exp(x))
ETCH_FLOAT_UNARY(Log, std::log(x))
ETCH_FLOAT_UNARY(Reciprocal, 1.0f / x)
ETCH_FLOAT_UNARY(Erf, std::erf(x))
ETCH_FLOAT_UNARY(Floor, std::floor(x))
ETCH_FLOAT_UNARY(Ceil, std::ceil(x))
ETCH_FLOAT_UNARY(Round, std::nearbyint(x))  // half to even under the default rounding mode
ETCH_FLOAT_UNARY(Sin, std::sin(x))
ETCH_FLOAT_UNARY(Cos, std::cos(x))
ETCH_FLOAT_UNARY(Tan, std::tan(x))
ETCH_FLOAT_UNARY(Asin, std::asin(x))
ETCH_FLOAT_UNARY(Acos, std::acos(x))
ETCH_FLOAT_UNARY(Atan, std::atan(x))
ETCH_FLOAT_UNARY(Sinh, std::sinh(x))
ETCH_FLOAT_UNARY(Cosh, std::cosh(x))
ETCH_FLOAT_UNARY(Asinh, std::asinh(x))
ETCH_FLOAT_UNARY(Acosh, std::acosh(x))
ETCH_FLOAT_UNARY(Atanh, std::atanh(x))
#undef ETCH_FLOAT_UNARY

struct LeakyRelu {
  float alpha;
  explicit LeakyRelu(const Node& n) : alpha(n.attr_float("alpha", 0.01f)) {}
  float operator()(float x) const { return x >= 0 ? x : alpha * x; }
};
struct HardSigmoid {
  float alpha, beta;
  explicit HardSigmoid(const Node& n) : alpha(n.attr_float("alpha", 0.2f)), beta(n.attr_float("beta", 0.5f)) {}
  float operator()(float x) const { return std::fmax(0.0f, std::fmin(1.0f, alpha * x + beta)); }
};
struct HardSwish : NoAttrs {
  using NoAttrs::NoAttrs;
  float operator()(float x) const { return x * std::fmax(0.0f, std::fmin(1.0f, x / 6.0f + 0.5f)); }
};
struct Elu {
  float alpha;
  explicit Elu(const Node& n) : alpha(n.attr_float("alpha", 1.0f)) {}
  float operator()(float x) const { return x >= 0 ? x : alpha * std::expm1(x); }
};
struct Celu {
  float alpha;
  explicit Celu(const Node& n) : alpha(n.attr_float("alpha", 1.0f)) {}
  float operator()(float x) const { return x >= 0 ? x : alpha * std::expm1(x / alpha); }
};
struct Selu {
  float alpha, gamma;
  explicit Selu(const Node& n)
      : alpha(n.attr_float("alpha", 1.67326319217681884765625f)),
        gamma(n.attr_float("gamma", 1.05070102214813232421875f)) {}
  float operator()(float x) const { return x > 0 ? gamma * x : gamma * alpha * std::expm1(x); }
};
struct ThresholdedRelu {
  float alpha;
  explicit ThresholdedRelu(const Node& n) : alpha(n.attr_float("alpha", 1.0f)) {}
  float operator()(float x) const { return x > alpha ? x : 0.0f; }
};
struct Shrink {
  float lambd, bias;
  explicit Shrink(const Node& n) : lambd(n.attr_float("lambd", 0.5f)), bias(n.attr_float("bias", 0.0f)) {}
  float operator()(float x) const { return x < -lambd ? x + bias : (x > lambd ? x - bias : 0.0f); }
};

template <typename Op>
void float_unary(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  ETCH_REQUIRE(x.dtype() == DType::F32, Unsupported)
      << ctx.node().describe() << ": dtype " << dtype_name(x.dtype()) << " is not supported (float32 only)";
  const Op op(ctx.node());
  map_elements(x.data<float>(), ctx.output(0).data<float>(), x.numel(), op);
}

// ---- ops defined for every numeric dtype -------------------------------
struct Relu {
  template <typename T>
  T operator()(T x) const {
    return x > T(0) ? x : T(0);
  }
};
struct Abs {
  template <typename T>
  T operator()(T x) const {
    if constexpr (std::is_unsigned_v<T>)
      return x;
    else
      return static_cast<T>(x < T(0) ? -x : x);
  }
};
struct Neg {
  template <typename T>
  T operator()(T x) const {
    return static_cast<T>(-x);
  }
};
struct Sign {
  template <typename T>
  T operator()(T x) const {
    return static_cast<T>(x > T(0) ? 1 : (x < T(0) ? -1 : 0));
  }
};

template <typename Op>
void numeric_unary(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  dispatch_numeric(x.dtype(), ctx,
                   [&]<typename T>() { map_elements(x.data<T>(), ctx.output(0).data<T>(), x.numel(), Op{}); });
}

void clip_kernel(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Node& n = ctx.node();
  dispatch_numeric(x.dtype(), ctx, [&]<typename T>() {
    T lo = std::numeric_limits<T>::lowest(), hi = std::numeric_limits<T>::max();
    // Clip-6 has min/max attributes; from Clip-11 they are optional inputs.
    if (n.has_attr("min")) lo = static_cast<T>(n.attr_float("min", 0));
    if (n.has_attr("max")) hi = static_cast<T>(n.attr_float("max", 0));
    if (ctx.has_input(1) && ctx.input(1).numel() > 0) lo = ctx.input(1).data<T>()[0];
    if (ctx.has_input(2) && ctx.input(2).numel() > 0) hi = ctx.input(2).data<T>()[0];
    map_elements(x.data<T>(), ctx.output(0).data<T>(), x.numel(),
                 [lo, hi](T v) { return v < lo ? lo : (v > hi ? hi : v); });
  });
}

void not_kernel(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  map_elements(x.data<bool>(), ctx.output(0).data<bool>(), x.numel(), [](bool v) { return !v; });
}

void isnan_kernel(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  ETCH_REQUIRE(x.dtype() == DType::F32, Unsupported) << ctx.node().describe() << ": float32 input expected";
  map_elements(x.data<float>(), ctx.output(0).data<bool>(), x.numel(), [](float v) { return std::isnan(v); });
}

void isinf_kernel(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  ETCH_REQUIRE(x.dtype() == DType::F32, Unsupported) << ctx.node().describe() << ": float32 input expected";
  const bool neg = ctx.node().attr_int("detect_negative", 1) != 0, pos = ctx.node().attr_int("detect_positive", 1) != 0;
  map_elements(x.data<float>(), ctx.output(0).data<bool>(), x.numel(),
               [neg, pos](float v) { return std::isinf(v) && ((v > 0 && pos) || (v < 0 && neg)); });
}

// Maps write every output element, so outputs need no zero-fill (float-only ops: F32).
#define ETCH_REG_FLOAT(Name)                                        \
  ETCH_REGISTER_KERNEL(#Name, "", std::nullopt, float_unary<Name>); \
  ETCH_KERNEL_OVERWRITES_OUTPUTS(#Name, "", DType::F32)
ETCH_REG_FLOAT(Sigmoid);
ETCH_REG_FLOAT(Tanh);
ETCH_REG_FLOAT(Softplus);
ETCH_REG_FLOAT(Softsign);
ETCH_REG_FLOAT(Sqrt);
ETCH_REG_FLOAT(Exp);
ETCH_REG_FLOAT(Log);
ETCH_REG_FLOAT(Reciprocal);
ETCH_REG_FLOAT(Erf);
ETCH_REG_FLOAT(Floor);
ETCH_REG_FLOAT(Ceil);
ETCH_REG_FLOAT(Round);
ETCH_REG_FLOAT(Sin);
ETCH_REG_FLOAT(Cos);
ETCH_REG_FLOAT(Tan);
ETCH_REG_FLOAT(Asin);
ETCH_REG_FLOAT(Acos);
ETCH_REG_FLOAT(Atan);
ETCH_REG_FLOAT(Sinh);
ETCH_REG_FLOAT(Cosh);
ETCH_REG_FLOAT(Asinh);
ETCH_REG_FLOAT(Acosh);
ETCH_REG_FLOAT(Atanh);
ETCH_REG_FLOAT(LeakyRelu);
ETCH_REG_FLOAT(HardSigmoid);
ETCH_REG_FLOAT(HardSwish);
ETCH_REG_FLOAT(Elu);
ETCH_REG_FLOAT(Celu);
ETCH_REG_FLOAT(Selu);
ETCH_REG_FLOAT(ThresholdedRelu);
ETCH_REG_FLOAT(Shrink);
#undef ETCH_REG_FLOAT
ETCH_REGISTER_KERNEL("Relu", "", std::nullopt, numeric_unary<Relu>);
ETCH_REGISTER_KERNEL("Abs", "", std::nullopt, numeric_unary<Abs>);
ETCH_REGISTER_KERNEL("Neg", "", std::nullopt, numeric_unary<Neg>);
ETCH_REGISTER_KERNEL("Sign", "", std::nullopt, numeric_unary<Sign>);
ETCH_REGISTER_KERNEL("Clip", "", std::nullopt, clip_kernel);
ETCH_REGISTER_KERNEL("Not", "", std::nullopt, not_kernel);
ETCH_REGISTER_KERNEL("IsNaN", "", std::nullopt, isnan_kernel);
ETCH_REGISTER_KERNEL("IsInf", "", std::nullopt, isinf_kernel);
ETCH_KERNEL_OVERWRITES_OUTPUTS_NUMERIC("Relu");
ETCH_KERNEL_OVERWRITES_OUTPUTS_NUMERIC("Abs");
ETCH_KERNEL_OVERWRITES_OUTPUTS_NUMERIC("Neg");
ETCH_KERNEL_OVERWRITES_OUTPUTS_NUMERIC("Clip");

}  // namespace
}  // namespace etch::runtime
