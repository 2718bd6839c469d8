// The arithmetic of each vector-unit instruction (npu/vector_instr.h) on the
// simulator's state, registered per opcode beside the code that does it
// (machine.cc, machine_mul.cc) with ETCH_REGISTER_VECTOR_EXEC.
#pragma once
#include "etch/npu/isa.h"
#include "etch/sim/machine.h"

namespace etch::sim {

using VectorExecFn = void (*)(Machine& m, const npu::Instr& in);

void register_vector_exec(npu::Opcode op, VectorExecFn fn);
// The function for `op`, or null.
VectorExecFn find_vector_exec(npu::Opcode op);

struct VectorExecRegistrar {
  VectorExecRegistrar(npu::Opcode op, VectorExecFn fn) { register_vector_exec(op, fn); }
};
#define ETCH_VECTOR_EXEC_CONCAT2(a, b) a##b
#define ETCH_VECTOR_EXEC_CONCAT(a, b) ETCH_VECTOR_EXEC_CONCAT2(a, b)
#define ETCH_REGISTER_VECTOR_EXEC(op, fn) \
  static ::etch::sim::VectorExecRegistrar ETCH_VECTOR_EXEC_CONCAT(etch_vector_exec_, __COUNTER__)(op, fn)

}  // namespace etch::sim
