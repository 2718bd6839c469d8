// MUL, the vector unit's element-wise multiply (ai.etch.QMul): its operands
// survive encode/decode, and the validator bounds operand b by its mode (one
// value per channel, or a's size).
#include <gtest/gtest.h>

#include "etch/core/error.h"
#include "etch/npu/isa.h"
#include "etch/npu/program.h"
#include "etch/npu/target.h"
#include "etch/npu/vector/mul.h"

namespace etch::npu {
namespace {

Instr mul(int64_t mode) {
  Instr in;
  in.op = Opcode::Mul;
  in[Field::a_addr] = 0;
  in[Field::b_addr] = 1000;
  in[Field::out_addr] = 2000;
  in[Field::c] = 3;
  in[Field::n] = 40;
  in[Field::mode] = mode;
  in[Field::a_zp] = -128;
  in[Field::b_zp] = 127;
  in[Field::y_zp] = -7;
  in[Field::mult] = (int64_t{1} << 31) - 1;
  in[Field::shift] = -31;
  in[Field::act_min] = -100;
  in[Field::act_max] = 90;
  return in;
}

TEST(IsaMul, RoundTripsWithItsName) {
  for (int64_t mode : {kMulSameShape, kMulPerChannel}) {
    Instr in = mul(mode);
    in.tokens = kPopPrev | kPushNext;
    in.layer = 9;
    uint8_t bytes[kInstrBytes];
    encode_instr(in, bytes);
    EXPECT_EQ(bytes[0], 13);
    EXPECT_EQ(decode_instr(bytes, "t"), in);
  }
  EXPECT_STREQ(opcode_name(Opcode::Mul), "mul");
  EXPECT_EQ(queue_of(mul(0)), Queue::Compute);
  EXPECT_NE(format_instr(mul(1)).find("mode=1"), std::string::npos) << format_instr(mul(1));
}

Program one_instr(const Instr& in, int64_t input_buffer) {
  Program p;
  p.target = preset("edge");
  p.target.input_buffer_bytes = input_buffer;
  p.dram_bytes = 64;
  p.weight_addr = 64;
  p.layers = {{"m", "mul", 0}};
  p.instrs = {in};
  Instr h;
  h.op = Opcode::Halt;
  p.instrs.push_back(h);
  p.segments = {{0, 2, {}, {}}};
  return p;
}

TEST(IsaMul, ValidatorBoundsOperandBByMode) {
  // a and out end at 120 and 2120; b needs 3 bytes per channel, or 120 bytes.
  EXPECT_NO_THROW(validate_program(one_instr(mul(kMulPerChannel), 2120), "t"));
  EXPECT_NO_THROW(validate_program(one_instr(mul(kMulSameShape), 2120), "t"));
  Instr far = mul(kMulSameShape);
  far[Field::b_addr] = 2050;  // 2050 + 120 > 2120, while 2050 + 3 fits
  EXPECT_THROW(validate_program(one_instr(far, 2120), "t"), Error);
  far[Field::mode] = kMulPerChannel;
  EXPECT_NO_THROW(validate_program(one_instr(far, 2120), "t"));
  Instr neg = mul(kMulPerChannel);
  neg[Field::mult] = -1;
  EXPECT_THROW(validate_program(one_instr(neg, 2120), "t"), Error);
}

}  // namespace
}  // namespace etch::npu
