// A tiny conv layer's step list and the instruction stream emitted from it:
// the tokens sit exactly where the steps have cross-queue dependencies, and
// the cost model's footprints are the instructions' own.
#include "etch/compiler/conv_steps.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "etch/compiler/emit_conv.h"
#include "etch/compiler/step_timing.h"
#include "etch/npu/target.h"

namespace etch::compiler {
namespace {

// 1x1 conv, 4 -> 4 channels on a 2x2 image, one output row per tile, single
// buffered: two tiles, one iteration each; the second keeps the array's
// weights and the parameters and reloads only the input.
ConvSpec tiny_conv() {
  ConvSpec s;
  s.name = "tiny";
  s.cg = s.mg = 4;
  s.h = s.w = s.oh = s.ow = 2;
  s.in.c = s.out.c = 4;
  s.in.h = s.in.w = s.out.h = s.out.w = 2;
  s.out.dram_addr = 64;
  for (int i = 0; i < 16; ++i) s.weights.push_back(static_cast<int8_t>(i + 1));
  s.bias.assign(4, 0);
  s.mult.assign(4, 1 << 30);
  s.shift.assign(4, 0);
  return s;
}

TilePlan tiny_plan() {
  TilePlan p;
  p.tm = p.tc = 4;
  p.th = 1;
  p.double_buffer = false;
  return p;
}

TEST(ConvSteps, TokensSitWhereTheStepsDepend) {
  npu::Program prog;
  prog.target = npu::preset("edge");
  ProgramBuilder b(prog);
  emit_conv(b, tiny_conv(), tiny_plan());
  using npu::Opcode;
  using namespace npu;
  const std::vector<std::pair<Opcode, uint8_t>> expected = {
      // Iteration 0: weights (the PRELOAD waits for them), input and parameters
      // (the MATMUL waits for them).
      {Opcode::Load, kPushNext},
      {Opcode::Load, 0},
      {Opcode::Load, kPushNext},
      {Opcode::Preload, kPopPrev},
      // Iteration 1's load overwrites the input slot and waits for this
      // iteration's compute, the MATMUL and the REQUANT: both push a token to
      // the load queue. (The parameters stay: the next tile has the same
      // output channels and reuses them.)
      {Opcode::Matmul, kPopPrev | kPushPrev},
      {Opcode::Requant, kPushNext | kPushPrev},
      // The next REQUANT overwrites the output slot this STORE reads.
      {Opcode::Store, kPopPrev | kPushPrev},
      // Iteration 1: the input alone, two tokens to wait for, one on a SYNC.
      {Opcode::Sync, kPopNext},
      {Opcode::Load, kPopNext | kPushNext},
      {Opcode::Matmul, kPopPrev},  // no PRELOAD: the array keeps its weights
      {Opcode::Requant, kPopNext | kPushNext},
      {Opcode::Store, kPopPrev},
      {Opcode::Barrier, 0},
  };
  ASSERT_EQ(prog.instrs.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(prog.instrs[i].op, expected[i].first) << "instruction " << i;
    EXPECT_EQ(prog.instrs[i].tokens, expected[i].second) << "instruction " << i << ": " << format_instr(prog.instrs[i]);
  }
  EXPECT_EQ(prog.instrs[7][Field::queue], static_cast<int64_t>(Queue::Load));
  EXPECT_EQ(prog.instrs[9][Field::swap], 0);
  // Both REQUANTs read the one parameter block loaded.
  EXPECT_EQ(prog.instrs[5][Field::param_addr], prog.instrs[10][Field::param_addr]);
}

TEST(ConvSteps, TimingAndEmissionWalkTheSameSteps) {
  const npu::Target t = npu::preset("edge");
  const ConvSpec s = tiny_conv();
  const TilePlan p = tiny_plan();
  const Schedule sc = make_schedule(s, p, t);
  const ConvPlace place;
  const LayerSteps timed = conv_steps(s, p, t, sc, {});
  const LayerSteps emitted = conv_steps(s, p, t, sc, {}, &place);
  ASSERT_EQ(timed.size(), emitted.size());
  ASSERT_EQ(timed.size(), 11);  // 4 loads, a PRELOAD, 2 MATMULs, 2 REQUANTs, 2 STOREs
  for (int i = 0; i < timed.size(); ++i) {
    EXPECT_EQ(timed[i].kind, emitted[i].kind);
    EXPECT_EQ(timed[i].bytes, emitted[i].bytes);
    EXPECT_EQ(std::vector<int>(timed.deps(i).begin(), timed.deps(i).end()),
              std::vector<int>(emitted.deps(i).begin(), emitted.deps(i).end()));
  }
  // The weights: 4 x 4 bytes; the input tile: 4 channels x 1 row x 2 pixels;
  // the parameters: 9 bytes per channel; a store: 4 channels x 2 pixels.
  EXPECT_EQ(timed[0].bytes, 16);
  EXPECT_EQ(timed[1].bytes, 8);
  EXPECT_EQ(timed[2].bytes, 36);
  EXPECT_EQ(timed[10].bytes, 8);
}

}  // namespace
}  // namespace etch::compiler
