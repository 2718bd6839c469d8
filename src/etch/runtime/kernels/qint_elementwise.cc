// ai.etch QAdd (TFLite's int8 ADD: both inputs rescaled to a common scale with
// `left_shift` bits of headroom, summed, rescaled to the output) and QLut (a
// 256-entry table, etch's form of every int8 → int8 elementwise function).
#include "etch/ir/ops/qint_ops.h"
#include "etch/runtime/kernels/elementwise_common.h"
#include "etch/runtime/kernels/qint_common.h"

namespace etch::runtime {
namespace {

void qadd(KernelContext& c) {
  const ir::QAddParams p = ir::qadd_params(c.node());
  const QuantizedMultiplier ma = qint::multiplier(p.a), mb = qint::multiplier(p.b);
  const int32_t za = p.a_zero_point, zb = p.b_zero_point, left = p.left_shift;
  qint::broadcast_binary_int8(c, [&](int32_t a, int32_t b) {
    // (q − zp)·2^left fits in int32: |q − zp| ≤ 255 and left ≤ 23.
    const int32_t va = multiply_by_quantized_multiplier((a - za) * (1 << left), ma);
    const int32_t vb = multiply_by_quantized_multiplier((b - zb) * (1 << left), mb);
    return qint::requantize_output(va + vb, p.y_requant, p.y);
  });
}

void qlut(KernelContext& c) {
  const Tensor& x = c.input(0);
  const int8_t* table = c.input(1).data<int8_t>();
  const int8_t* xp = x.data<int8_t>();
  int8_t* y = c.output(0).data<int8_t>();
  parallel_for(x.numel(), kElementGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) y[i] = table[xp[i] + 128];
  });
}

}  // namespace

ETCH_REGISTER_KERNEL("QAdd", ir::kEtchDomain, DType::I8, qadd);
ETCH_REGISTER_KERNEL("QLut", ir::kEtchDomain, DType::I8, qlut);

}  // namespace etch::runtime
