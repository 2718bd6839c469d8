#include "etch/sim/vector_exec.h"

#include <array>

#include "etch/core/error.h"

namespace etch::sim {
namespace {

// Indexed by opcode; filled during static initialization, read after it.
std::array<VectorExecFn, npu::kNumOpcodes + 1>& table() {
  static std::array<VectorExecFn, npu::kNumOpcodes + 1> fns{};
  return fns;
}

}  // namespace

void register_vector_exec(npu::Opcode op, VectorExecFn fn) {
  const int i = static_cast<int>(op);
  ETCH_CHECK(npu::is_valid_opcode(i) && fn) << "bad vector exec registration for opcode " << i;
  ETCH_CHECK(!table()[i]) << "two vector exec functions registered for opcode " << i;
  table()[i] = fn;
}

VectorExecFn find_vector_exec(npu::Opcode op) {
  const int i = static_cast<int>(op);
  return npu::is_valid_opcode(i) ? table()[i] : nullptr;
}

}  // namespace etch::sim
