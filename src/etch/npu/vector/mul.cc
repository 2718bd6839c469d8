// MUL: c channels of n elements, (a - a_zp) * (b - b_zp) requantized with one
// multiplier; operand b is laid out like a or holds one value per channel
// (mode kMulPerChannel: squeeze-and-excitation). ai.etch.QMul; docs/npu-isa.md.
#include "etch/npu/vector/mul.h"

#include "etch/npu/vector_instr.h"

namespace etch::npu {
namespace {

using F = Field;
constexpr bool S = true, U = false;

int64_t elements(const Instr& in) { return in[F::c] * in[F::n]; }
int64_t b_bytes(const Instr& in) { return in[F::mode] == kMulPerChannel ? in[F::c] : elements(in); }

void check(const Instr& in, InstrCheck& c) {
  c.require(in[F::c] >= 1 && in[F::n] >= 1, "empty tile");
  c.require(in[F::act_min] <= in[F::act_max], "act_min > act_max");
  c.require(in[F::mult] >= 0, "negative multiplier");
  c.shift(in[F::shift]);
  c.input_buffer(in[F::a_addr] + elements(in), "operand a");
  c.input_buffer(in[F::b_addr] + b_bytes(in), "operand b");
  c.input_buffer(in[F::out_addr] + elements(in), "output");
}

}  // namespace

ETCH_REGISTER_VECTOR_INSTR({.op = Opcode::Mul,
                            .name = "mul",
                            .fields = {{F::a_addr, 32, U},
                                       {F::b_addr, 32, U},
                                       {F::out_addr, 32, U},
                                       {F::c, 16, U},
                                       {F::n, 32, U},
                                       {F::mode, 1, U},
                                       {F::a_zp, 8, S},
                                       {F::b_zp, 8, S},
                                       {F::y_zp, 8, S},
                                       {F::mult, 32, S},
                                       {F::shift, 8, S},
                                       {F::act_min, 8, S},
                                       {F::act_max, 8, S}},
                            .elements = elements,
                            .sram_bytes = [](const Instr& in) { return 2 * elements(in) + b_bytes(in); },
                            .check = check});

}  // namespace etch::npu
