// Program file: round trip, and every kind of damage is an InvalidInput error.
#include "etch/npu/program.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>

#include "etch/core/error.h"

namespace etch::npu {
namespace {

Program small_program() {
  Program p;
  p.target = preset("edge");
  TensorDesc x;
  x.name = "x";
  x.shape = {1, 2, 4, 4};
  x.c = 2, x.h = 4, x.w = 4, x.pad = 1;
  x.dram_addr = 0;
  x.zero_point = -3;
  x.scale = 0.5f;
  TensorDesc y = x;
  y.name = "y";
  y.pad = 0;
  y.dram_addr = 128;
  p.tensors = {x, y};
  p.weight_addr = 256;
  p.weight_image = {1, 2, 3, 4};
  p.dram_bytes = 260;
  p.layers = {{"copy", "copy", 0}};
  Instr ld;
  ld.op = Opcode::Load;
  ld[Field::dram] = 0;
  ld[Field::sram] = 0;
  ld[Field::rows] = 1;
  ld[Field::row_bytes] = 72;
  ld[Field::reps] = 1;
  ld.tokens = kPushNext;
  Instr sy;
  sy.op = Opcode::Sync;
  sy[Field::queue] = 1;
  sy.tokens = kPopPrev | kPushNext;
  Instr st = ld;
  st.op = Opcode::Store;
  st[Field::dram] = 128;
  st[Field::row_bytes] = 32;
  st.tokens = kPopPrev;
  Instr h;
  h.op = Opcode::Halt;
  p.instrs = {ld, sy, st, h};
  p.segments = {{0, 4, {0}, {1}}};
  p.inputs = {0};
  p.outputs = {1};
  p.input_ops = {{InputOp::Sub, {0.25f, 0.5f}}, {InputOp::Div, {0.3f}}};
  return p;
}

void expect_invalid(const std::string& bytes, const std::string& needle) {
  try {
    deserialize_program(bytes, "m.npu");
    FAIL() << "expected an error containing '" << needle << "'";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(Program, RoundTrips) {
  const Program p = small_program();
  const std::string bytes = serialize_program(p);
  EXPECT_EQ(deserialize_program(bytes, "m.npu"), p);
}

TEST(Program, EveryTruncationIsAnError) {
  const std::string bytes = serialize_program(small_program());
  for (size_t n = 0; n < bytes.size(); ++n) {
    try {
      deserialize_program(bytes.substr(0, n), "m.npu");
      FAIL() << "prefix of " << n << " bytes accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    }
  }
}

TEST(Program, WrongMagicAndVersion) {
  std::string bytes = serialize_program(small_program());
  std::string bad = bytes;
  bad[0] = 'X';
  expect_invalid(bad, "not an etch NPU program");
  bad = bytes;
  bad[8] = 99;
  expect_invalid(bad, "format version 99");
}

// Found by the decoder fuzzer: a NaN scale does not equal itself, so the
// program would not round-trip; it is refused when loading.
TEST(Program, NonFiniteTensorScaleIsRefused) {
  Program p = small_program();
  p.tensors[0].scale = std::numeric_limits<float>::quiet_NaN();
  expect_invalid(serialize_program(p), "non-finite scale");
  p.tensors[0].scale = std::numeric_limits<float>::infinity();
  expect_invalid(serialize_program(p), "non-finite scale");
}

TEST(Program, CorruptedInstructionNamesIt) {
  const Program p = small_program();
  const std::string good = serialize_program(p);
  // The instruction stream follows the weight image; find instruction 2 by its encoding.
  uint8_t enc[kInstrBytes];
  encode_instr(p.instrs[2], enc);
  const size_t at = good.find(std::string(reinterpret_cast<char*>(enc), kInstrBytes));
  ASSERT_NE(at, std::string::npos);
  std::string bad = good;
  bad[at] = static_cast<char>(0xEE);
  expect_invalid(bad, "instruction 2");
  bad = good;
  bad[at + 17] = static_cast<char>(0xFF);  // the store's row_bytes: now far outside its buffers
  expect_invalid(bad, "instruction 2");
}

TEST(Program, ValidatorRejectsOutOfRangeOperands) {
  Program p = small_program();
  p.instrs[0][Field::sram] = p.target.input_buffer_bytes - 10;
  EXPECT_THROW(validate_program(p, "p"), Error);
  p = small_program();
  p.tensors[1].dram_addr = 250;  // overlaps the end of DRAM
  EXPECT_THROW(validate_program(p, "p"), Error);
  p = small_program();
  p.segments[0].end = 3;  // does not end in halt
  EXPECT_THROW(validate_program(p, "p"), Error);
  p = small_program();
  p.instrs[1].layer = 5;
  EXPECT_THROW(validate_program(p, "p"), Error);
}

}  // namespace
}  // namespace etch::npu
