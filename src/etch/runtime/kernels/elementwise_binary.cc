// Reference kernels of the broadcasting ops: arithmetic (integer results wrap
// like numpy; integer division truncates toward zero like C and ONNX Runtime),
// comparisons and logic (bool out), variadic Sum/Mean/Min/Max, Pow with its own
// exponent dtype, PRelu and Where.
#include <cmath>
#include <type_traits>

#include "etch/runtime/kernel_overwrites.h"
#include "etch/runtime/kernels/elementwise_common.h"

namespace etch::runtime {
namespace {

template <typename T, bool = std::is_integral_v<T> && !std::is_same_v<T, bool>>
struct WrapType {
  using type = T;
};
template <typename T>
struct WrapType<T, true> {
  using type = std::make_unsigned_t<T>;
};
template <typename T>
using Wide = typename WrapType<T>::type;

// Integer + - * done in the unsigned type so overflow wraps instead of being UB.
struct AddOp {
  template <typename T>
  T operator()(T a, T b) const {
    return static_cast<T>(static_cast<Wide<T>>(a) + static_cast<Wide<T>>(b));
  }
};
struct SubOp {
  template <typename T>
  T operator()(T a, T b) const {
    return static_cast<T>(static_cast<Wide<T>>(a) - static_cast<Wide<T>>(b));
  }
};
struct MulOp {
  template <typename T>
  T operator()(T a, T b) const {
    return static_cast<T>(static_cast<Wide<T>>(a) * static_cast<Wide<T>>(b));
  }
};
struct DivOp {
  template <typename T>
  T operator()(T a, T b) const {
    return static_cast<T>(a / b);
  }
};
struct MinOp {
  template <typename T>
  T operator()(T a, T b) const {
    return b < a ? b : a;
  }
};
struct MaxOp {
  template <typename T>
  T operator()(T a, T b) const {
    return a < b ? b : a;
  }
};
struct FmodOp {  // fmod=1: the result takes the dividend's sign
  template <typename T>
  T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>)
      return std::fmod(a, b);
    else
      return static_cast<T>(a % b);
  }
};
struct PyModOp {  // fmod=0: the result takes the divisor's sign (integers only)
  template <typename T>
  T operator()(T a, T b) const {
    T r = static_cast<T>(a % b);
    if constexpr (std::is_signed_v<T>)
      if (r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
    return r;
  }
};

template <typename T>
void require_no_zero_divisor(const KernelContext& ctx, const Tensor& b) {
  if constexpr (std::is_integral_v<T>) {
    const T* p = b.data<T>();
    for (int64_t i = 0; i < b.numel(); ++i)
      if (p[i] == 0) ctx.fail("integer division by zero (divisor element " + std::to_string(i) + ")");
  }
}

template <typename Op>
void arith_kernel(KernelContext& ctx) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  Tensor& out = ctx.output(0);
  dispatch_numeric(a.dtype(), ctx, [&]<typename T>() {
    if constexpr (std::is_same_v<Op, DivOp> || std::is_same_v<Op, FmodOp>) require_no_zero_divisor<T>(ctx, b);
    broadcast_binary(a.data<T>(), a.shape(), b.data<T>(), b.shape(), out.data<T>(), out.shape(), Op{});
  });
}

void mod_kernel(KernelContext& ctx) {
  const bool fmod = ctx.node().attr_int("fmod", 0) != 0;
  if (fmod) return arith_kernel<FmodOp>(ctx);
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  Tensor& out = ctx.output(0);
  if (a.dtype() == DType::F32) ctx.fail("floating-point Mod needs fmod=1");
  dispatch_numeric(a.dtype(), ctx, [&]<typename T>() {
    if constexpr (std::is_integral_v<T>) {
      require_no_zero_divisor<T>(ctx, b);
      broadcast_binary(a.data<T>(), a.shape(), b.data<T>(), b.shape(), out.data<T>(), out.shape(), PyModOp{});
    }
  });
}

// Sum/Mean/Min/Max fold their inputs into the output in place.
template <typename Op, bool kMean = false>
void variadic_kernel(KernelContext& ctx) {
  Tensor& out = ctx.output(0);
  const Tensor& first = ctx.input(0);
  dispatch_numeric(first.dtype(), ctx, [&]<typename T>() {
    T* o = out.data<T>();
    broadcast_binary(first.data<T>(), first.shape(), first.data<T>(), first.shape(), o, out.shape(),
                     [](T x, T) { return x; });
    for (size_t i = 1; i < ctx.num_inputs(); ++i) {
      const Tensor& in = ctx.input(i);
      broadcast_binary(static_cast<const T*>(o), out.shape(), in.data<T>(), in.shape(), o, out.shape(), Op{});
    }
    if constexpr (kMean) {
      const T n = static_cast<T>(ctx.num_inputs());
      map_elements(static_cast<const T*>(o), o, out.numel(), [n](T x) { return static_cast<T>(x / n); });
    }
  });
}

template <typename U>
double as_double(U v) {
  return static_cast<double>(v);
}

void pow_kernel(KernelContext& ctx) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  Tensor& out = ctx.output(0);
  dispatch_numeric(a.dtype(), ctx, [&]<typename T>() {
    dispatch_numeric(b.dtype(), ctx, [&]<typename U>() {
      broadcast_binary(a.data<T>(), a.shape(), b.data<U>(), b.shape(), out.data<T>(), out.shape(), [](T x, U y) {
        if constexpr (std::is_same_v<T, float>)
          return std::pow(x, static_cast<float>(y));
        else
          return static_cast<T>(std::pow(as_double(x), as_double(y)));
      });
    });
  });
}

void prelu_kernel(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const Tensor& slope = ctx.input(1);
  Tensor& out = ctx.output(0);
  dispatch_numeric(x.dtype(), ctx, [&]<typename T>() {
    broadcast_binary(x.data<T>(), x.shape(), slope.data<T>(), slope.shape(), out.data<T>(), out.shape(),
                     [](T v, T s) { return v < T(0) ? static_cast<T>(v * s) : v; });
  });
}

struct EqualOp {
  template <typename T>
  bool operator()(T a, T b) const {
    return a == b;
  }
};
struct LessOp {
  template <typename T>
  bool operator()(T a, T b) const {
    return a < b;
  }
};
struct GreaterOp {
  template <typename T>
  bool operator()(T a, T b) const {
    return a > b;
  }
};
struct LessEqualOp {
  template <typename T>
  bool operator()(T a, T b) const {
    return a <= b;
  }
};
struct GreaterEqualOp {
  template <typename T>
  bool operator()(T a, T b) const {
    return a >= b;
  }
};
struct AndOp {
  bool operator()(bool a, bool b) const { return a && b; }
};
struct OrOp {
  bool operator()(bool a, bool b) const { return a || b; }
};
struct XorOp {
  bool operator()(bool a, bool b) const { return a != b; }
};

template <typename Op>
void compare_kernel(KernelContext& ctx) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  Tensor& out = ctx.output(0);
  dispatch_any(a.dtype(), ctx, [&]<typename T>() {
    broadcast_binary(a.data<T>(), a.shape(), b.data<T>(), b.shape(), out.data<bool>(), out.shape(), Op{});
  });
}

template <typename Op>
void logic_kernel(KernelContext& ctx) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  Tensor& out = ctx.output(0);
  broadcast_binary(a.data<bool>(), a.shape(), b.data<bool>(), b.shape(), out.data<bool>(), out.shape(), Op{});
}

void where_kernel(KernelContext& ctx) {
  const Tensor& cond = ctx.input(0);
  const Tensor& x = ctx.input(1);
  const Tensor& y = ctx.input(2);
  Tensor& out = ctx.output(0);
  const bool* c = cond.data<bool>();
  dispatch_any(x.dtype(), ctx, [&]<typename T>() {
    const T* px = x.data<T>();
    const T* py = y.data<T>();
    T* po = out.data<T>();
    const Shape& so = out.shape();
    if (cond.shape() == so && x.shape() == so && y.shape() == so) {
      parallel_for(out.numel(), kElementGrain, [&](int64_t s, int64_t e) {
        for (int64_t i = s; i < e; ++i) po[i] = c[i] ? px[i] : py[i];
      });
      return;
    }
    const BroadcastPlan p = make_broadcast_plan(so, {cond.shape(), x.shape(), y.shape()});
    const int64_t sc = p.strides[0].back(), sx = p.strides[1].back(), sy = p.strides[2].back();
    for_each_row<3>(p, [&](int64_t oo, const int64_t* offs, int64_t n) {
      for (int64_t i = 0; i < n; ++i) po[oo + i] = c[offs[0] + i * sc] ? px[offs[1] + i * sx] : py[offs[2] + i * sy];
    });
  });
}

ETCH_REGISTER_KERNEL("Add", "", std::nullopt, arith_kernel<AddOp>);
ETCH_REGISTER_KERNEL("Sub", "", std::nullopt, arith_kernel<SubOp>);
ETCH_REGISTER_KERNEL("Mul", "", std::nullopt, arith_kernel<MulOp>);
ETCH_REGISTER_KERNEL("Div", "", std::nullopt, arith_kernel<DivOp>);
ETCH_REGISTER_KERNEL("Mod", "", std::nullopt, mod_kernel);
ETCH_REGISTER_KERNEL("Sum", "", std::nullopt, variadic_kernel<AddOp>);
ETCH_REGISTER_KERNEL("Mean", "", std::nullopt, (variadic_kernel<AddOp, true>));
ETCH_REGISTER_KERNEL("Min", "", std::nullopt, variadic_kernel<MinOp>);
ETCH_REGISTER_KERNEL("Max", "", std::nullopt, variadic_kernel<MaxOp>);
ETCH_REGISTER_KERNEL("Pow", "", std::nullopt, pow_kernel);
ETCH_REGISTER_KERNEL("PRelu", "", std::nullopt, prelu_kernel);
ETCH_REGISTER_KERNEL("Equal", "", std::nullopt, compare_kernel<EqualOp>);
ETCH_REGISTER_KERNEL("Less", "", std::nullopt, compare_kernel<LessOp>);
ETCH_REGISTER_KERNEL("Greater", "", std::nullopt, compare_kernel<GreaterOp>);
ETCH_REGISTER_KERNEL("LessOrEqual", "", std::nullopt, compare_kernel<LessEqualOp>);
ETCH_REGISTER_KERNEL("GreaterOrEqual", "", std::nullopt, compare_kernel<GreaterEqualOp>);
ETCH_REGISTER_KERNEL("And", "", std::nullopt, logic_kernel<AndOp>);
ETCH_REGISTER_KERNEL("Or", "", std::nullopt, logic_kernel<OrOp>);
ETCH_REGISTER_KERNEL("Xor", "", std::nullopt, logic_kernel<XorOp>);
ETCH_REGISTER_KERNEL("Where", "", std::nullopt, where_kernel);
// Arithmetic writes every output element (broadcast_binary covers the output).
ETCH_KERNEL_OVERWRITES_OUTPUTS_NUMERIC("Add");
ETCH_KERNEL_OVERWRITES_OUTPUTS_NUMERIC("Sub");
ETCH_KERNEL_OVERWRITES_OUTPUTS_NUMERIC("Mul");
ETCH_KERNEL_OVERWRITES_OUTPUTS_NUMERIC("Div");

}  // namespace
}  // namespace etch::runtime
