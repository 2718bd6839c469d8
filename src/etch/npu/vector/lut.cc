// LUT: n int8 values through a 256-entry table in the weight buffer (every
// int8 -> int8 element-wise function; docs/npu-isa.md).
#include "etch/npu/footprint.h"
#include "etch/npu/vector_instr.h"

namespace etch::npu {
namespace {

using F = Field;
constexpr bool U = false;

void check(const Instr& in, InstrCheck& c) {
  c.require(in[F::n] >= 1, "empty tile");
  c.input_buffer(in[F::in_addr] + in[F::n], "input");
  c.input_buffer(in[F::out_addr] + in[F::n], "output");
  c.weight_buffer(in[F::table_addr] + kTableBytes, "table");
}

}  // namespace

ETCH_REGISTER_VECTOR_INSTR(
    {.op = Opcode::Lut,
     .name = "lut",
     .fields = {{F::in_addr, 32, U}, {F::out_addr, 32, U}, {F::n, 32, U}, {F::table_addr, 32, U}},
     .elements = [](const Instr& in) { return in[F::n]; },
     .sram_bytes = [](const Instr& in) { return 2 * in[F::n] + kTableBytes; },
     .check = check});

}  // namespace etch::npu
