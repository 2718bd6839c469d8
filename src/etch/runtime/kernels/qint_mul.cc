// ai.etch QMul, TFLite's int8 MUL: (a - a_zp) * (b - b_zp) accumulated in
// int32 (|product| <= 255 * 255, no overflow), requantized with one
// multiplier s_a * s_b / s_y, plus the output zero point, clamped. Numpy
// broadcasting, so a per-channel [1, C, 1, 1] scale multiplies a [1, C, H, W]
// activation (squeeze-and-excitation).
#include "etch/ir/ops/qint_ops.h"
#include "etch/runtime/kernels/elementwise_common.h"
#include "etch/runtime/kernels/qint_common.h"

namespace etch::runtime {
namespace {

void qmul(KernelContext& c) {
  const ir::QMulParams p = ir::qmul_params(c.node());
  const int32_t za = p.a_zero_point, zb = p.b_zero_point;
  Tensor& out = c.output(0);
  const int8_t* a = c.input(0).data<int8_t>();
  const int8_t* b = c.input(1).data<int8_t>();
  int8_t* y = out.data<int8_t>();
  const BroadcastPlan plan = make_broadcast_plan(out.shape(), {c.input(0).shape(), c.input(1).shape()});
  for_each_row<2>(plan, [&](int64_t o, const int64_t* offs, int64_t count) {
    const int64_t sa = plan.strides[0].back(), sb = plan.strides[1].back();
    for (int64_t i = 0; i < count; ++i) {
      const int32_t prod = (a[offs[0] + i * sa] - za) * (b[offs[1] + i * sb] - zb);
      y[o + i] = qint::requantize_output(prod, p.requant, p.y);
    }
  });
}

}  // namespace

ETCH_REGISTER_KERNEL("QMul", ir::kEtchDomain, DType::I8, qmul);

}  // namespace etch::runtime
