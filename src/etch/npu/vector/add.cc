// ADD: two int8 operands rescaled to a common scale with left_shift bits of
// headroom, summed and requantized (TFLite's int8 ADD; docs/npu-isa.md).
#include "etch/npu/vector_instr.h"

namespace etch::npu {
namespace {

using F = Field;
constexpr bool S = true, U = false;

void check(const Instr& in, InstrCheck& c) {
  c.require(in[F::n] >= 1, "empty tile");
  c.require(in[F::act_min] <= in[F::act_max], "act_min > act_max");
  c.require(in[F::left_shift] <= 30, "left_shift above 30");
  for (F f : {F::a_mult, F::b_mult, F::mult}) c.require(in[f] >= 0, "negative multiplier");
  for (F f : {F::a_shift, F::b_shift, F::shift}) c.shift(in[f]);
  for (F f : {F::a_addr, F::b_addr, F::out_addr}) c.input_buffer(in[f] + in[F::n], "operand");
}

}  // namespace

ETCH_REGISTER_VECTOR_INSTR({.op = Opcode::Add,
                            .name = "add",
                            .fields = {{F::a_addr, 32, U},
                                       {F::b_addr, 32, U},
                                       {F::out_addr, 32, U},
                                       {F::n, 32, U},
                                       {F::a_zp, 8, S},
                                       {F::b_zp, 8, S},
                                       {F::y_zp, 8, S},
                                       {F::left_shift, 6, U},
                                       {F::a_mult, 32, S},
                                       {F::a_shift, 8, S},
                                       {F::b_mult, 32, S},
                                       {F::b_shift, 8, S},
                                       {F::mult, 32, S},
                                       {F::shift, 8, S},
                                       {F::act_min, 8, S},
                                       {F::act_max, 8, S}},
                            .elements = [](const Instr& in) { return in[F::n]; },
                            .sram_bytes = [](const Instr& in) { return 3 * in[F::n]; },
                            .check = check});

}  // namespace etch::npu
