// ai.etch QMul, TFLite's int8 MUL: (a - a_zp) * (b - b_zp) accumulated in
// int32 (|product| <= 255 * 255, no overflow), requantized with one
// multiplier s_a * s_b / s_y, plus the output zero point, clamped. Numpy
// broadcasting, so a per-channel [1, C, 1, 1] scale multiplies a [1, C, H, W]
// activation (squeeze-and-excitation).
#include "etch/ir/ops/qint_mul.h"

#include "etch/ir/ops/qint_ops.h"
#include "etch/runtime/kernel_overwrites.h"
#include "etch/runtime/kernels/qint_common.h"

namespace etch::runtime {
namespace {

void qmul(KernelContext& c) {
  const ir::QMulParams p = ir::qmul_params(c.node());
  // |product| <= 255 * 255: no overflow in int32.
  qint::broadcast_binary_int8(c, [&](int32_t a, int32_t b) {
    return qint::requantize_output((a - p.a_zero_point) * (b - p.b_zero_point), p.requant, p.y);
  });
}

}  // namespace

ETCH_REGISTER_KERNEL("QMul", ir::kEtchDomain, DType::I8, qmul);
// Every output element is written.
ETCH_KERNEL_OVERWRITES_OUTPUTS("QMul", ir::kEtchDomain, DType::I8);

}  // namespace etch::runtime
