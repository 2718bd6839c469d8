// COPY: n bytes within the input buffer (Concat's channel slices;
// docs/npu-isa.md).
#include "etch/npu/vector_instr.h"

namespace etch::npu {
namespace {

using F = Field;
constexpr bool U = false;

void check(const Instr& in, InstrCheck& c) {
  c.require(in[F::n] >= 1, "empty tile");
  c.input_buffer(in[F::in_addr] + in[F::n], "input");
  c.input_buffer(in[F::out_addr] + in[F::n], "output");
}

}  // namespace

ETCH_REGISTER_VECTOR_INSTR({.op = Opcode::Copy,
                            .name = "copy",
                            .fields = {{F::in_addr, 32, U}, {F::out_addr, 32, U}, {F::n, 32, U}},
                            .elements = [](const Instr& in) { return in[F::n]; },
                            .sram_bytes = [](const Instr& in) { return 2 * in[F::n]; },
                            .check = check});

}  // namespace etch::npu
