// ai.etch QAdd (TFLite's int8 ADD: both inputs rescaled to a common scale with
// `left_shift` bits of headroom, summed, rescaled to the output) and QLut (a
// 256-entry table, etch's form of every int8 → int8 elementwise function).
#include "etch/ir/ops/qint_ops.h"
#include "etch/runtime/kernel_overwrites.h"
#include "etch/runtime/kernels/elementwise_common.h"
#include "etch/runtime/kernels/qint_common.h"
#include "etch/runtime/requantize_row.h"

namespace etch::runtime {
namespace {

void qadd(KernelContext& c) {
  const ir::QAddParams p = ir::qadd_params(c.node());
  const AddRequant r{p.a_zero_point,        p.b_zero_point,        p.left_shift,
                     qint::multiplier(p.a), qint::multiplier(p.b), qint::multiplier(p.y_requant),
                     p.y.zero_point,        p.y.act_min,           p.y.act_max};
  const Tensor &a = c.input(0), &b = c.input(1);
  if (a.shape() == b.shape()) {
    // The residual case: whole rows, vectorised, in fixed chunks.
    const int8_t *ap = a.data<int8_t>(), *bp = b.data<int8_t>();
    int8_t* y = c.output(0).data<int8_t>();
    parallel_for(a.numel(), kElementGrain,
                 [&](int64_t i0, int64_t i1) { add_row_int8(ap + i0, bp + i0, i1 - i0, r, y + i0); });
    return;
  }
  qint::broadcast_binary_int8(c, [&](int32_t x, int32_t z) { return add_int8(x, z, r); });
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
// Every output element is written.
ETCH_KERNEL_OVERWRITES_OUTPUTS("QAdd", ir::kEtchDomain, DType::I8);
ETCH_KERNEL_OVERWRITES_OUTPUTS("QLut", ir::kEtchDomain, DType::I8);

}  // namespace etch::runtime
