#include "etch/npu/vector_instr.h"

#include <array>

#include "etch/core/error.h"

namespace etch::npu {
namespace {

// Indexed by opcode; filled during static initialization, read after it.
std::array<VectorInstrDef, kNumOpcodes + 1>& table() {
  static std::array<VectorInstrDef, kNumOpcodes + 1> defs;
  return defs;
}

}  // namespace

void register_vector_instr(VectorInstrDef def) {
  const int op = static_cast<int>(def.op);
  ETCH_CHECK(is_valid_opcode(op)) << "vector instruction '" << def.name << "' has opcode " << op;
  ETCH_CHECK(def.elements && def.sram_bytes && def.check) << "vector instruction '" << def.name << "' is incomplete";
  ETCH_CHECK(!table()[op].elements) << "two vector instructions registered for opcode " << op;
  table()[op] = std::move(def);
}

const VectorInstrDef* find_vector_instr(Opcode op) {
  const int i = static_cast<int>(op);
  if (!is_valid_opcode(i)) return nullptr;
  const VectorInstrDef& d = table()[i];
  return d.elements ? &d : nullptr;
}

}  // namespace etch::npu
