// The hardware contract's second half: the NPU instruction set. Decoupled
// access/execute: LOAD instructions run on the load engine, PRELOAD/MATMUL and
// the vector ops on the compute engine, STORE on the store engine; the engines
// synchronise only through dependency tokens (docs/npu-isa.md is the reference).
//
// An instruction is an opcode, four token flags, a layer id and a set of named
// operands. Every operand lives in one flat array indexed by Field, so the
// encoder, decoder, validator and disassembler are all driven by one table
// (op_fields) instead of a switch per opcode.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace etch::npu {

enum class Opcode : uint8_t {
  Load = 1,      // DRAM -> input or weight buffer, 2-D strided with an outer repeat
  Store = 2,     // input buffer -> DRAM, same shape of transfer
  Preload = 3,   // weight buffer -> the array's shadow weight registers
  Matmul = 4,    // one fold: acc[M x N] (+)= W[M x K] * im2col(X)[K x N]
  Requant = 5,   // acc -> int8: bias, per-channel multiplier/shift, zero point, clamp
  Pool = 6,      // max or average pooling over an int8 tile
  Add = 7,       // element-wise add with rescale (ai.etch.QAdd)
  Lut = 8,       // 256-entry table lookup (ai.etch.QLut)
  Copy = 9,      // int8 move inside the input buffer (concat, reshape of padded data)
  Sync = 10,     // no operation; carries tokens on the queue it names
  Barrier = 11,  // every engine waits until all three reach it and are idle
  Halt = 12,     // end of a segment: every engine stops
  Mul = 13,      // element-wise multiply, per-channel broadcast (ai.etch.QMul)
  kEnd,          // one past the last opcode: a new instruction is one line above
};
constexpr int kNumOpcodes = static_cast<int>(Opcode::kEnd) - 1;

enum class Queue : uint8_t { Load = 0, Compute = 1, Store = 2 };
enum class Buffer : uint8_t { Input = 0, Weight = 1 };

// Token flags. "prev"/"next" are the neighbouring engines in the chain
// load -> compute -> store: load has no prev, store has no next.
enum TokenFlag : uint8_t { kPopPrev = 1, kPopNext = 2, kPushPrev = 4, kPushNext = 8 };

enum class Field : uint8_t {
  // DMA
  buf,
  dram,
  sram,
  rows,
  row_bytes,
  dram_stride,
  sram_stride,
  reps,
  dram_rep_stride,
  sram_rep_stride,
  // array
  w_addr,
  w_pitch,
  meta_addr,
  meta_pitch,
  sparse,
  m,
  k,
  k0,
  x_addr,
  x_chan_stride,
  x_pitch,
  acc_addr,
  acc_pitch,
  out_h,
  out_w,
  stride_h,
  stride_w,
  kernel_h,
  kernel_w,
  dil_h,
  dil_w,
  k_order,
  accumulate,
  swap,
  // vector
  n,
  param_addr,
  out_addr,
  out_chan_stride,
  in_addr,
  in_chan_stride,
  in_pitch,
  c,
  mode,
  org_r,
  org_c,
  valid_r0,
  valid_r1,
  valid_c0,
  valid_c1,
  x_zp,
  y_zp,
  mult,
  shift,
  act_min,
  act_max,
  a_addr,
  b_addr,
  a_zp,
  b_zp,
  left_shift,
  a_mult,
  a_shift,
  b_mult,
  b_shift,
  table_addr,
  // sync
  queue,
  // DMA (appended)
  background,
  // REQUANT (appended): map the results through the 256-entry table that
  // follows the tile's parameter block
  table,
  kCount
};
constexpr int kNumFields = static_cast<int>(Field::kCount);

// k_order of MATMUL: how the reduction index k decomposes into (channel,
// kernel row, kernel column).
constexpr int kKOrderChannelOuter = 0;  // k = (c * kernel_h + r) * kernel_w + s  (ONNX weight order)
constexpr int kKOrderChannelInner = 1;  // k = (r * kernel_w + s) * C + c         (2:4 groups along c)
constexpr int kPoolMax = 0, kPoolAvg = 1;

struct FieldSpec {
  Field field;
  int bits;
  bool is_signed;
};

struct Instr {
  Opcode op = Opcode::Sync;
  uint8_t tokens = 0;  // TokenFlag bits
  uint16_t layer = 0;  // index into Program::layers, for per-layer statistics
  std::array<int64_t, kNumFields> f{};

  int64_t operator[](Field x) const { return f[static_cast<int>(x)]; }
  int64_t& operator[](Field x) { return f[static_cast<int>(x)]; }
  bool operator==(const Instr&) const = default;
};

constexpr int kInstrBytes = 64;  // fixed-size encoding, little-endian bit order

const char* opcode_name(Opcode op);
const char* field_name(Field f);
bool is_valid_opcode(int op);
// The operands an opcode carries, in encoding order.
const std::vector<FieldSpec>& op_fields(Opcode op);
// Which engine runs it (Barrier and Halt run on all three; Sync on Field::queue).
Queue queue_of(const Instr& in);

// Encode/decode one instruction. decode throws InvalidInput (naming `where`)
// for an unknown opcode, token flags the queue cannot have, or non-zero
// unused bits; value ranges against a target are checked by validate_program.
void encode_instr(const Instr& in, uint8_t* out);
Instr decode_instr(const uint8_t* bytes, const std::string& where);

// "matmul m=16 k=16 ..." for disasm and error messages.
std::string format_instr(const Instr& in);

}  // namespace etch::npu
