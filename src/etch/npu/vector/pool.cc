// POOL: max or average pooling of c channels of a padded input tile; the
// average is requantized with one multiplier (docs/npu-isa.md).
#include "etch/npu/vector_instr.h"

namespace etch::npu {
namespace {

using F = Field;
constexpr bool S = true, U = false;

int64_t outputs(const Instr& in) { return in[F::c] * in[F::out_h] * in[F::out_w]; }

void check(const Instr& in, InstrCheck& c) {
  c.require(in[F::c] >= 1 && in[F::out_h] >= 1 && in[F::out_w] >= 1, "empty tile");
  for (F f : {F::stride_h, F::stride_w, F::kernel_h, F::kernel_w})
    c.require(in[f] >= 1, "stride and kernel must be at least 1");
  c.require(in[F::valid_r0] >= 0 && in[F::valid_r0] < in[F::valid_r1], "bad valid rows");
  c.require(in[F::valid_c0] >= 0 && in[F::valid_c0] < in[F::valid_c1] && in[F::valid_c1] <= in[F::in_pitch],
            "bad valid columns");
  c.require(in[F::act_min] <= in[F::act_max], "act_min > act_max");
  c.require(in[F::mult] >= 0, "negative multiplier");
  c.shift(in[F::shift]);
  c.input_buffer(in[F::in_addr] + (in[F::c] - 1) * in[F::in_chan_stride] + (in[F::valid_r1] - 1) * in[F::in_pitch] +
                     in[F::valid_c1],
                 "input");
  c.input_buffer(in[F::out_addr] + (in[F::c] - 1) * in[F::out_chan_stride] + in[F::out_h] * in[F::out_w], "output");
}

}  // namespace

ETCH_REGISTER_VECTOR_INSTR(
    {.op = Opcode::Pool,
     .name = "pool",
     .fields = {{F::mode, 1, U},
                {F::in_addr, 32, U},
                {F::in_chan_stride, 32, U},
                {F::in_pitch, 32, U},
                {F::c, 16, U},
                {F::out_h, 16, U},
                {F::out_w, 16, U},
                {F::kernel_h, 8, U},
                {F::kernel_w, 8, U},
                {F::stride_h, 8, U},
                {F::stride_w, 8, U},
                {F::org_r, 16, S},
                {F::org_c, 16, S},
                {F::valid_r0, 16, S},
                {F::valid_r1, 16, S},
                {F::valid_c0, 16, S},
                {F::valid_c1, 16, S},
                {F::out_addr, 32, U},
                {F::out_chan_stride, 32, U},
                {F::x_zp, 8, S},
                {F::y_zp, 8, S},
                {F::mult, 32, S},
                {F::shift, 8, S},
                {F::act_min, 8, S},
                {F::act_max, 8, S}},
     .elements = [](const Instr& in) { return outputs(in) * in[F::kernel_h] * in[F::kernel_w]; },
     .sram_bytes = [](const Instr& in) { return outputs(in) * in[F::kernel_h] * in[F::kernel_w] + outputs(in); },
     .check = check});

}  // namespace etch::npu
