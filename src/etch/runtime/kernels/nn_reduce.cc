// Reduction kernels (ReduceX over any set of axes) and ArgMax/ArgMin.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "etch/ir/op_registry.h"
#include "etch/ir/ops/nn_params.h"
#include "etch/runtime/kernel_registry.h"

namespace etch::runtime {
namespace {

enum class Red { Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare };

// Calls f(in_index, out_index) for every input element, in order.
template <typename F>
void for_each_reduced(const Shape& in, const std::vector<bool>& reduced, F&& f) {
  const size_t r = in.size();
  const int64_t total = shape_numel(in);
  if (total == 0) return;
  if (r == 0) {
    f(0, 0);
    return;
  }
  // Output strides per input dim (0 for reduced dims).
  std::vector<int64_t> ostride(r, 0);
  int64_t s = 1;
  for (size_t d = r; d-- > 0;)
    if (!reduced[d]) {
      ostride[d] = s;
      s *= in[d];
    }
  const int64_t last = r ? in[r - 1] : 1, last_stride = r ? ostride[r - 1] : 0;
  std::vector<int64_t> idx(r, 0);
  int64_t out = 0;
  for (int64_t i = 0; i < total; i += last) {
    for (int64_t j = 0; j < last; ++j) f(i + j, out + j * last_stride);
    // Advance the multi-index over all dims but the last.
    for (size_t d = r - 1; d-- > 0;) {
      out += ostride[d];
      if (++idx[d] < in[d]) break;
      out -= ostride[d] * in[d];
      idx[d] = 0;
    }
  }
}

template <typename T, Red kRed>
void reduce(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const ir::ReduceSpec spec = ir::resolve_reduce(ctx.node(), x.rank(), ctx.has_input(1) ? &ctx.input(1) : nullptr);
  Tensor& y = ctx.output(0);
  using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
  const int64_t n_out = y.numel();
  const int64_t count = n_out ? x.numel() / n_out : 0;
  const T* xv = x.data<T>();
  T* yv = y.data<T>();
  if (x.numel() == 0) {
    // Empty reductions give the identity element.
    for (int64_t i = 0; i < n_out; ++i) {
      if constexpr (kRed == Red::Prod)
        yv[i] = T(1);
      else if constexpr (kRed == Red::Max)
        yv[i] = std::numeric_limits<T>::lowest();
      else if constexpr (kRed == Red::Min)
        yv[i] = std::numeric_limits<T>::max();
      else if constexpr (kRed == Red::LogSum || kRed == Red::LogSumExp)
        yv[i] = static_cast<T>(-INFINITY);
      else
        yv[i] = T(0);
    }
    return;
  }
  if constexpr (kRed == Red::Max || kRed == Red::Min) {
    std::vector<T> acc(n_out, kRed == Red::Max ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max());
    if constexpr (std::is_floating_point_v<T>)
      if (kRed == Red::Max) std::fill(acc.begin(), acc.end(), -std::numeric_limits<T>::infinity());
    if constexpr (std::is_floating_point_v<T>)
      if (kRed == Red::Min) std::fill(acc.begin(), acc.end(), std::numeric_limits<T>::infinity());
    for_each_reduced(x.shape(), spec.reduced, [&](int64_t i, int64_t o) {
      if constexpr (kRed == Red::Max)
        acc[o] = std::max(acc[o], xv[i]);
      else
        acc[o] = std::min(acc[o], xv[i]);
    });
    std::copy(acc.begin(), acc.end(), yv);
    return;
  }
  std::vector<Acc> shift(n_out, Acc(0));
  if constexpr (kRed == Red::LogSumExp) {
    std::vector<T> mx(n_out, std::numeric_limits<T>::lowest());
    for_each_reduced(x.shape(), spec.reduced, [&](int64_t i, int64_t o) { mx[o] = std::max(mx[o], xv[i]); });
    for (int64_t o = 0; o < n_out; ++o) shift[o] = std::isfinite(static_cast<double>(mx[o])) ? mx[o] : 0;
  }
  std::vector<Acc> acc(n_out, kRed == Red::Prod ? Acc(1) : Acc(0));
  for_each_reduced(x.shape(), spec.reduced, [&](int64_t i, int64_t o) {
    const Acc v = static_cast<Acc>(xv[i]);
    if constexpr (kRed == Red::Prod)
      acc[o] *= v;
    else if constexpr (kRed == Red::L1)
      acc[o] += v < 0 ? -v : v;
    else if constexpr (kRed == Red::L2 || kRed == Red::SumSquare)
      acc[o] += v * v;
    else if constexpr (kRed == Red::LogSumExp)
      acc[o] += static_cast<Acc>(std::exp(static_cast<double>(v - shift[o])));
    else
      acc[o] += v;
  });
  for (int64_t o = 0; o < n_out; ++o) {
    Acc r = acc[o];
    if constexpr (kRed == Red::Mean) r = r / static_cast<Acc>(count);
    if constexpr (kRed == Red::L2) r = static_cast<Acc>(std::sqrt(static_cast<double>(r)));
    if constexpr (kRed == Red::LogSum) r = static_cast<Acc>(std::log(static_cast<double>(r)));
    if constexpr (kRed == Red::LogSumExp) r = static_cast<Acc>(std::log(static_cast<double>(r))) + shift[o];
    yv[o] = static_cast<T>(r);
  }
}

template <typename T, bool kMax>
void arg_reduce(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  const int64_t axis = ir::normalize_axis(ctx.node().attr_int("axis", 0), x.rank(), ctx.node());
  const bool last = ctx.node().attr_int("select_last_index", 0) != 0;
  int64_t outer = 1, len = x.dim(static_cast<int>(axis)), inner = 1;
  for (int d = 0; d < x.rank(); ++d) {
    if (d < axis) outer *= x.dim(d);
    if (d > axis) inner *= x.dim(d);
  }
  if (len == 0) ctx.fail("cannot take ArgMax/ArgMin over an empty axis");
  const T* xv = x.data<T>();
  int64_t* yv = ctx.output(0).data<int64_t>();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const T* src = xv + o * len * inner + i;
      T best = src[0];
      int64_t arg = 0;
      for (int64_t j = 1; j < len; ++j) {
        const T v = src[j * inner];
        const bool better = kMax ? (last ? v >= best : v > best) : (last ? v <= best : v < best);
        if (better) {
          best = v;
          arg = j;
        }
      }
      yv[o * inner + i] = arg;
    }
}

#define ETCH_REDUCE_KERNELS(name, red)                                     \
  ETCH_REGISTER_KERNEL(name, "", DType::F32, (reduce<float, Red::red>));   \
  ETCH_REGISTER_KERNEL(name, "", DType::I32, (reduce<int32_t, Red::red>)); \
  ETCH_REGISTER_KERNEL(name, "", DType::I64, (reduce<int64_t, Red::red>)); \
  ETCH_REGISTER_KERNEL(name, "", DType::U8, (reduce<uint8_t, Red::red>));  \
  ETCH_REGISTER_KERNEL(name, "", DType::I8, (reduce<int8_t, Red::red>))

}  // namespace

ETCH_REDUCE_KERNELS("ReduceSum", Sum);
ETCH_REDUCE_KERNELS("ReduceMean", Mean);
ETCH_REDUCE_KERNELS("ReduceMax", Max);
ETCH_REDUCE_KERNELS("ReduceMin", Min);
ETCH_REDUCE_KERNELS("ReduceProd", Prod);
ETCH_REDUCE_KERNELS("ReduceL1", L1);
ETCH_REDUCE_KERNELS("ReduceSumSquare", SumSquare);
ETCH_REGISTER_KERNEL("ReduceL2", "", DType::F32, (reduce<float, Red::L2>));
ETCH_REGISTER_KERNEL("ReduceLogSum", "", DType::F32, (reduce<float, Red::LogSum>));
ETCH_REGISTER_KERNEL("ReduceLogSumExp", "", DType::F32, (reduce<float, Red::LogSumExp>));
ETCH_REGISTER_KERNEL("ArgMax", "", DType::F32, (arg_reduce<float, true>));
ETCH_REGISTER_KERNEL("ArgMax", "", DType::I32, (arg_reduce<int32_t, true>));
ETCH_REGISTER_KERNEL("ArgMax", "", DType::I64, (arg_reduce<int64_t, true>));
ETCH_REGISTER_KERNEL("ArgMax", "", DType::U8, (arg_reduce<uint8_t, true>));
ETCH_REGISTER_KERNEL("ArgMax", "", DType::I8, (arg_reduce<int8_t, true>));
ETCH_REGISTER_KERNEL("ArgMin", "", DType::F32, (arg_reduce<float, false>));
ETCH_REGISTER_KERNEL("ArgMin", "", DType::I32, (arg_reduce<int32_t, false>));
ETCH_REGISTER_KERNEL("ArgMin", "", DType::I64, (arg_reduce<int64_t, false>));
ETCH_REGISTER_KERNEL("ArgMin", "", DType::U8, (arg_reduce<uint8_t, false>));
ETCH_REGISTER_KERNEL("ArgMin", "", DType::I8, (arg_reduce<int8_t, false>));

}  // namespace etch::runtime
