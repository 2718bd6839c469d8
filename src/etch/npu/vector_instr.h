// Vector-unit instructions (POOL, ADD, MUL, LUT, COPY, ...): each is defined
// in its own file under npu/vector/ and registered there with
// ETCH_REGISTER_VECTOR_INSTR: its name and operand fields (the encoding), the
// bounds the program validator checks, and the work the timing models charge
// (elements through the vector unit, SRAM bytes moved). The simulator adds
// the arithmetic (sim/vector_exec.h). The DMA, array, requantization and
// synchronisation instructions stay in isa.cc: they carry the machine's
// dependency and accumulator rules rather than element work.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "etch/npu/isa.h"
#include "etch/npu/target.h"

namespace etch::npu {

// What a definition's bounds check may call; the validator implements it,
// naming the program, the instruction and its index in every message.
class InstrCheck {
 public:
  virtual ~InstrCheck() = default;
  virtual const Target& target() const = 0;
  // InvalidInput with `what` unless ok.
  virtual void require(bool ok, const char* what) = 0;
  // InvalidInput unless the operand's end (exclusive) lies within the input
  // (activation) buffer, or the weight buffer for `weights`.
  virtual void input_buffer(int64_t end, const char* what) = 0;
  virtual void weight_buffer(int64_t end, const char* what) = 0;
  // A requantization shift in [-31, 30].
  void shift(int64_t s) { require(s >= -31 && s <= 30, "shift outside [-31, 30]"); }
};

struct VectorInstrDef {
  Opcode op{};
  const char* name = "";
  std::vector<FieldSpec> fields{};
  // Elements through the vector unit (its cycles: vector_cycles(elements))
  // and bytes read and written in SRAM.
  int64_t (*elements)(const Instr& in) = nullptr;
  int64_t (*sram_bytes)(const Instr& in) = nullptr;
  void (*check)(const Instr& in, InstrCheck& c) = nullptr;
};

void register_vector_instr(VectorInstrDef def);
// The definition of `op`, or null when op is not a vector-unit instruction.
const VectorInstrDef* find_vector_instr(Opcode op);

struct VectorInstrRegistrar {
  explicit VectorInstrRegistrar(VectorInstrDef d) { register_vector_instr(std::move(d)); }
};
#define ETCH_VECTOR_INSTR_CONCAT2(a, b) a##b
#define ETCH_VECTOR_INSTR_CONCAT(a, b) ETCH_VECTOR_INSTR_CONCAT2(a, b)
// ETCH_REGISTER_VECTOR_INSTR({.op = Opcode::Mul, .name = "mul", ...}).
#define ETCH_REGISTER_VECTOR_INSTR(...)                              \
  static ::etch::npu::VectorInstrRegistrar ETCH_VECTOR_INSTR_CONCAT( \
      etch_vector_instr_, __COUNTER__)(::etch::npu::VectorInstrDef __VA_ARGS__)

}  // namespace etch::npu
