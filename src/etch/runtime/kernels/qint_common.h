// Helpers shared by etch's integer kernels (ai.etch ops,
// docs/quantization.md). The attributes themselves are parsed and checked once,
// by ir/ops/qint_params.h.
#pragma once
#include <cstdint>

#include "etch/ir/ops/qint_params.h"
#include "etch/runtime/kernel_registry.h"
#include "etch/runtime/kernels/elementwise_common.h"
#include "etch/runtime/requantize.h"

namespace etch::runtime::qint {

inline QuantizedMultiplier multiplier(const ir::RequantPair& p) { return {p.multiplier, p.shift}; }

// An int32 accumulator to the op's int8 output (zero point, clamp range).
inline int8_t requantize_output(int32_t acc, const ir::RequantPair& m, const ir::QOutput& y) {
  return static_cast<int8_t>(requantize(acc, multiplier(m), y.zero_point, y.act_min, y.act_max));
}

// Output 0 = f(a, b) over inputs 0 and 1 (int8, numpy broadcasting), f taking
// the two int8 operands as int32.
template <typename F>
void broadcast_binary_int8(KernelContext& c, F f) {
  Tensor& out = c.output(0);
  const int8_t* a = c.input(0).data<int8_t>();
  const int8_t* b = c.input(1).data<int8_t>();
  int8_t* y = out.data<int8_t>();
  const BroadcastPlan plan = make_broadcast_plan(out.shape(), {c.input(0).shape(), c.input(1).shape()});
  for_each_row<2>(plan, [&](int64_t o, const int64_t* offs, int64_t count) {
    const int64_t sa = plan.strides[0].back(), sb = plan.strides[1].back();
    for (int64_t i = 0; i < count; ++i) y[o + i] = f(int32_t{a[offs[0] + i * sa]}, int32_t{b[offs[1] + i * sb]});
  });
}

}  // namespace etch::runtime::qint
