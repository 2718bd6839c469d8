#include "etch/npu/isa.h"

#include <fmt/format.h>

#include "etch/core/error.h"
#include "etch/npu/vector_instr.h"

namespace etch::npu {
namespace {

using F = Field;
constexpr bool S = true, U = false;

// Operand widths: SRAM addresses and strides 32 bits, DRAM addresses 40 bits,
// array dimensions 16 bits, kernel geometry 8 bits, int8 quantities 8 bits
// signed. docs/npu-isa.md lists the same table.
const std::vector<FieldSpec> kDma = {{F::buf, 1, U},
                                     {F::dram, 40, U},
                                     {F::sram, 32, U},
                                     {F::rows, 20, U},
                                     {F::row_bytes, 32, U},
                                     {F::dram_stride, 32, U},
                                     {F::sram_stride, 32, U},
                                     {F::reps, 20, U},
                                     {F::dram_rep_stride, 32, U},
                                     {F::sram_rep_stride, 32, U},
                                     {F::background, 1, U}};
const std::vector<FieldSpec> kPreload = {{F::w_addr, 32, U},     {F::w_pitch, 32, U}, {F::meta_addr, 32, U},
                                         {F::meta_pitch, 32, U}, {F::m, 16, U},       {F::k, 16, U},
                                         {F::sparse, 1, U}};
const std::vector<FieldSpec> kMatmul = {{F::x_addr, 32, U},    {F::x_chan_stride, 32, U},
                                        {F::x_pitch, 32, U},   {F::acc_addr, 32, U},
                                        {F::acc_pitch, 32, U}, {F::m, 16, U},
                                        {F::k, 16, U},         {F::k0, 32, U},
                                        {F::out_h, 16, U},     {F::out_w, 16, U},
                                        {F::stride_h, 8, U},   {F::stride_w, 8, U},
                                        {F::kernel_h, 8, U},   {F::kernel_w, 8, U},
                                        {F::dil_h, 8, U},      {F::dil_w, 8, U},
                                        {F::c, 16, U},         {F::k_order, 1, U},
                                        {F::accumulate, 1, U}, {F::swap, 1, U}};
const std::vector<FieldSpec> kRequant = {
    {F::acc_addr, 32, U}, {F::acc_pitch, 32, U},       {F::m, 16, U},   {F::n, 32, U},      {F::param_addr, 32, U},
    {F::out_addr, 32, U}, {F::out_chan_stride, 32, U}, {F::y_zp, 8, S}, {F::act_min, 8, S}, {F::act_max, 8, S},
    {F::table, 1, U}};
const std::vector<FieldSpec> kSync = {{F::queue, 2, U}};
const std::vector<FieldSpec> kNone = {};

const char* const kFieldNames[kNumFields] = {"buf",
                                             "dram",
                                             "sram",
                                             "rows",
                                             "row_bytes",
                                             "dram_stride",
                                             "sram_stride",
                                             "reps",
                                             "dram_rep_stride",
                                             "sram_rep_stride",
                                             "w_addr",
                                             "w_pitch",
                                             "meta_addr",
                                             "meta_pitch",
                                             "sparse",
                                             "m",
                                             "k",
                                             "k0",
                                             "x_addr",
                                             "x_chan_stride",
                                             "x_pitch",
                                             "acc_addr",
                                             "acc_pitch",
                                             "out_h",
                                             "out_w",
                                             "stride_h",
                                             "stride_w",
                                             "kernel_h",
                                             "kernel_w",
                                             "dil_h",
                                             "dil_w",
                                             "k_order",
                                             "accumulate",
                                             "swap",
                                             "n",
                                             "param_addr",
                                             "out_addr",
                                             "out_chan_stride",
                                             "in_addr",
                                             "in_chan_stride",
                                             "in_pitch",
                                             "c",
                                             "mode",
                                             "org_r",
                                             "org_c",
                                             "valid_r0",
                                             "valid_r1",
                                             "valid_c0",
                                             "valid_c1",
                                             "x_zp",
                                             "y_zp",
                                             "mult",
                                             "shift",
                                             "act_min",
                                             "act_max",
                                             "a_addr",
                                             "b_addr",
                                             "a_zp",
                                             "b_zp",
                                             "left_shift",
                                             "a_mult",
                                             "a_shift",
                                             "b_mult",
                                             "b_shift",
                                             "table_addr",
                                             "queue",
                                             "background",
                                             "table"};

// Header: opcode 8 bits, tokens 4, reserved 4, layer 16; operands follow.

class BitWriter {
 public:
  explicit BitWriter(uint8_t* out) : out_(out) { std::fill(out, out + kInstrBytes, 0); }
  void put(uint64_t v, int bits) {
    for (int i = 0; i < bits; ++i, ++pos_)
      if ((v >> i) & 1) out_[pos_ / 8] |= static_cast<uint8_t>(1u << (pos_ % 8));
  }

 private:
  uint8_t* out_;
  int pos_ = 0;
};

class BitReader {
 public:
  explicit BitReader(const uint8_t* in) : in_(in) {}
  uint64_t get(int bits) {
    uint64_t v = 0;
    for (int i = 0; i < bits; ++i, ++pos_)
      if ((in_[pos_ / 8] >> (pos_ % 8)) & 1) v |= uint64_t{1} << i;
    return v;
  }
  int pos() const { return pos_; }

 private:
  const uint8_t* in_;
  int pos_ = 0;
};

bool queue_allows(Queue q, uint8_t tokens) {
  if (q == Queue::Load) return (tokens & (kPopPrev | kPushPrev)) == 0;
  if (q == Queue::Store) return (tokens & (kPopNext | kPushNext)) == 0;
  return true;
}

}  // namespace

const char* opcode_name(Opcode op) {
  if (const VectorInstrDef* v = find_vector_instr(op)) return v->name;
  switch (op) {
    case Opcode::Load:
      return "load";
    case Opcode::Store:
      return "store";
    case Opcode::Preload:
      return "preload";
    case Opcode::Matmul:
      return "matmul";
    case Opcode::Requant:
      return "requant";
    case Opcode::Sync:
      return "sync";
    case Opcode::Barrier:
      return "barrier";
    case Opcode::Halt:
      return "halt";
    default:  // a vector-unit instruction not registered
      return "?";
  }
}

const char* field_name(Field f) { return kFieldNames[static_cast<int>(f)]; }

bool is_valid_opcode(int op) { return op >= 1 && op <= kNumOpcodes; }

const std::vector<FieldSpec>& op_fields(Opcode op) {
  if (const VectorInstrDef* v = find_vector_instr(op)) return v->fields;
  switch (op) {
    case Opcode::Load:
    case Opcode::Store:
      return kDma;
    case Opcode::Preload:
      return kPreload;
    case Opcode::Matmul:
      return kMatmul;
    case Opcode::Requant:
      return kRequant;
    case Opcode::Sync:
      return kSync;
    default:  // BARRIER, HALT
      return kNone;
  }
}

Queue queue_of(const Instr& in) {
  switch (in.op) {
    case Opcode::Load:
      return Queue::Load;
    case Opcode::Store:
      return Queue::Store;
    case Opcode::Sync:
      return static_cast<Queue>(in[Field::queue]);
    default:
      return Queue::Compute;
  }
}

void encode_instr(const Instr& in, uint8_t* out) {
  BitWriter w(out);
  w.put(static_cast<uint8_t>(in.op), 8);
  w.put(in.tokens, 4);
  w.put(0, 4);
  w.put(in.layer, 16);
  for (const FieldSpec& s : op_fields(in.op)) {
    const int64_t v = in[s.field];
    const int64_t lo = s.is_signed ? -(int64_t{1} << (s.bits - 1)) : 0;
    const int64_t hi = s.is_signed ? (int64_t{1} << (s.bits - 1)) - 1 : (int64_t{1} << s.bits) - 1;
    ETCH_CHECK(v >= lo && v <= hi) << opcode_name(in.op) << " field " << field_name(s.field) << " = " << v
                                   << " does not fit in " << s.bits << " bits";
    w.put(static_cast<uint64_t>(v), s.bits);
  }
}

Instr decode_instr(const uint8_t* bytes, const std::string& where) {
  BitReader r(bytes);
  Instr in;
  const int op = static_cast<int>(r.get(8));
  ETCH_REQUIRE(is_valid_opcode(op), InvalidInput) << where << ": unknown opcode " << op;
  in.op = static_cast<Opcode>(op);
  in.tokens = static_cast<uint8_t>(r.get(4));
  ETCH_REQUIRE(r.get(4) == 0, InvalidInput) << where << ": reserved header bits are set";
  in.layer = static_cast<uint16_t>(r.get(16));
  for (const FieldSpec& s : op_fields(in.op)) {
    uint64_t v = r.get(s.bits);
    int64_t x = static_cast<int64_t>(v);
    if (s.is_signed && (v >> (s.bits - 1)) & 1) x -= int64_t{1} << s.bits;
    in[s.field] = x;
  }
  while (r.pos() < kInstrBytes * 8)
    ETCH_REQUIRE(r.get(1) == 0, InvalidInput) << where << ": " << opcode_name(in.op) << " has non-zero unused bits";
  if (in.op == Opcode::Sync)
    ETCH_REQUIRE(in[Field::queue] <= 2, InvalidInput) << where << ": sync names queue " << in[Field::queue];
  if (in.op == Opcode::Barrier || in.op == Opcode::Halt)
    ETCH_REQUIRE(in.tokens == 0, InvalidInput) << where << ": " << opcode_name(in.op) << " cannot carry tokens";
  ETCH_REQUIRE(queue_allows(queue_of(in), in.tokens), InvalidInput)
      << where << ": " << opcode_name(in.op) << " carries a token flag its engine has no neighbour for";
  return in;
}

std::string format_instr(const Instr& in) {
  std::string s = opcode_name(in.op);
  static const char* const kTok[4] = {"pop_prev", "pop_next", "push_prev", "push_next"};
  for (const FieldSpec& f : op_fields(in.op)) s += fmt::format(" {}={}", field_name(f.field), in[f.field]);
  for (int i = 0; i < 4; ++i)
    if (in.tokens & (1 << i)) s += fmt::format(" {}", kTok[i]);
  return s;
}

}  // namespace etch::npu
