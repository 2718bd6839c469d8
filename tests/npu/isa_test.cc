// Encoder/decoder round trip for every opcode with random operands across each
// field's full range, and the decoder's rejection of malformed words.
#include "etch/npu/isa.h"

#include <gtest/gtest.h>

#include <random>

#include "etch/core/error.h"

namespace etch::npu {
namespace {

Instr random_instr(Opcode op, std::mt19937_64& rng) {
  Instr in;
  in.op = op;
  in.layer = static_cast<uint16_t>(rng());
  const Queue q = queue_of(in);
  if (op == Opcode::Sync) in[Field::queue] = static_cast<int64_t>(rng() % 3);
  for (const FieldSpec& s : op_fields(op)) {
    if (s.field == Field::queue) continue;
    const uint64_t r = rng() & ((s.bits == 64 ? ~0ull : (1ull << s.bits) - 1));
    int64_t v = static_cast<int64_t>(r);
    if (s.is_signed && (r >> (s.bits - 1)) & 1) v -= int64_t{1} << s.bits;
    in[s.field] = v;
  }
  const Queue qq = queue_of(in);
  (void)q;
  uint8_t allowed = kPopPrev | kPopNext | kPushPrev | kPushNext;
  if (qq == Queue::Load) allowed = kPopNext | kPushNext;
  if (qq == Queue::Store) allowed = kPopPrev | kPushPrev;
  if (op == Opcode::Barrier || op == Opcode::Halt) allowed = 0;
  in.tokens = static_cast<uint8_t>(rng()) & allowed;
  return in;
}

TEST(Isa, EveryOpcodeRoundTrips) {
  std::mt19937_64 rng(7);
  for (int op = 1; op <= kNumOpcodes; ++op) {
    for (int trial = 0; trial < 200; ++trial) {
      const Instr in = random_instr(static_cast<Opcode>(op), rng);
      uint8_t bytes[kInstrBytes];
      encode_instr(in, bytes);
      const Instr out = decode_instr(bytes, "test");
      ASSERT_EQ(out, in) << format_instr(in) << " vs " << format_instr(out);
    }
  }
}

TEST(Isa, ExtremeValuesRoundTrip) {
  for (int op = 1; op <= kNumOpcodes; ++op)
    for (int extreme = 0; extreme < 2; ++extreme) {
      Instr in;
      in.op = static_cast<Opcode>(op);
      for (const FieldSpec& s : op_fields(in.op)) {
        if (s.field == Field::queue) continue;
        if (s.is_signed)
          in[s.field] = extreme ? (int64_t{1} << (s.bits - 1)) - 1 : -(int64_t{1} << (s.bits - 1));
        else
          in[s.field] = extreme ? (int64_t{1} << s.bits) - 1 : 0;
      }
      uint8_t bytes[kInstrBytes];
      encode_instr(in, bytes);
      EXPECT_EQ(decode_instr(bytes, "t"), in) << opcode_name(in.op);
    }
}

TEST(Isa, EveryOpcodeFitsTheWord) {
  for (int op = 1; op <= kNumOpcodes; ++op) {
    int bits = 32;
    for (const FieldSpec& s : op_fields(static_cast<Opcode>(op))) bits += s.bits;
    EXPECT_LE(bits, kInstrBytes * 8) << opcode_name(static_cast<Opcode>(op));
  }
}

TEST(Isa, DecoderRejectsMalformedWords) {
  uint8_t bytes[kInstrBytes] = {};
  EXPECT_THROW(decode_instr(bytes, "zero opcode"), Error);
  bytes[0] = 200;
  EXPECT_THROW(decode_instr(bytes, "unknown opcode"), Error);
  Instr load;
  load.op = Opcode::Load;
  load.tokens = kPopPrev;  // the load engine has no upstream neighbour
  uint8_t enc[kInstrBytes] = {};
  enc[0] = static_cast<uint8_t>(Opcode::Load);
  enc[1] = kPopPrev;
  try {
    decode_instr(enc, "instr 3");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("instr 3"), std::string::npos);
  }
  Instr halt;
  halt.op = Opcode::Halt;
  encode_instr(halt, enc);
  enc[63] = 1;  // unused bits must be zero
  EXPECT_THROW(decode_instr(enc, "t"), Error);
}

}  // namespace
}  // namespace etch::npu
