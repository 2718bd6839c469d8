// MUL on the vector unit (ai.etch.QMul, docs/npu-isa.md): c channels of n
// elements each; operand b is either laid out like a or holds one value per
// channel, read once for the channel's n elements (squeeze-and-excitation).
#include "etch/npu/vector/mul.h"
#include "etch/sim/fixed_point.h"
#include "etch/sim/machine.h"
#include "etch/sim/vector_exec.h"

namespace etch::sim {

namespace {

using F = npu::Field;

void mul(Machine& m, const npu::Instr& in) {
  const int8_t* a = m.ibuf.data() + in[F::a_addr];
  const int8_t* b = m.ibuf.data() + in[F::b_addr];
  int8_t* y = m.ibuf.data() + in[F::out_addr];
  const int64_t c = in[F::c], n = in[F::n];
  const bool per_channel = in[F::mode] == npu::kMulPerChannel;
  const int32_t azp = static_cast<int32_t>(in[F::a_zp]), bzp = static_cast<int32_t>(in[F::b_zp]);
  const int32_t ym = static_cast<int32_t>(in[F::mult]);
  const int ys = static_cast<int>(in[F::shift]);
  const int32_t yzp = static_cast<int32_t>(in[F::y_zp]), lo = static_cast<int32_t>(in[F::act_min]),
                hi = static_cast<int32_t>(in[F::act_max]);
  for (int64_t ch = 0; ch < c; ++ch)
    for (int64_t i = 0; i < n; ++i) {
      const int64_t k = ch * n + i;
      // |(a − a_zp)·(b − b_zp)| ≤ 255² fits int32 exactly.
      const int32_t prod = (a[k] - azp) * ((per_channel ? b[ch] : b[k]) - bzp);
      y[k] = static_cast<int8_t>(requantize(prod, ym, ys, yzp, lo, hi));
    }
}

}  // namespace

ETCH_REGISTER_VECTOR_EXEC(npu::Opcode::Mul, mul);

}  // namespace etch::sim
