// Group packing (compiler/group_packing.h): the block-diagonal weight layout
// against hand-written matrices, the factors the mapper scores, and depthwise
// layers compiled with packing: bit-exact with the integer reference, race
// free, faster on the array than one group at a time, with utilization
// counting only the layer's own MACs.
#include "etch/compiler/group_packing.h"

#include <gtest/gtest.h>

#include "compiler/arrival_check.h"
#include "compiler/qgraph.h"
#include "etch/compiler/compiler.h"
#include "etch/eval/npu_executor.h"
#include "etch/runtime/interpreter.h"

namespace etch {
namespace {

using testing::QGraph;

compiler::ConvSpec grouped(int64_t groups, int64_t cg, int64_t mg, int64_t kw, std::vector<int8_t> w) {
  compiler::ConvSpec s;
  s.name = "dw";
  s.groups = groups;
  s.cg = cg;
  s.mg = mg;
  s.kh = 1;
  s.kw = kw;
  s.weights = std::move(w);
  return s;
}

TEST(GroupPacking, DepthwiseWeightsBecomeBlockDiagonal) {
  // 4 groups of one channel, 1x2 kernels; two groups per packed group.
  const compiler::ConvSpec p = compiler::pack_groups(grouped(4, 1, 1, 2, {1, 2, 3, 4, 5, 6, 7, 8}), 2);
  EXPECT_EQ(p.groups, 2);
  EXPECT_EQ(p.cg, 2);
  EXPECT_EQ(p.mg, 2);
  const std::vector<int8_t> want = {1, 2, 0, 0,   // output 0: input channel 0 of packed group 0
                                    0, 0, 3, 4,   // output 1: input channel 1
                                    5, 6, 0, 0,   // output 2: packed group 1, its channel 0
                                    0, 0, 7, 8};  // output 3
  EXPECT_EQ(p.weights, want);
}

TEST(GroupPacking, ChannelMultiplierKeepsEachGroupsOutputsTogether) {
  // 2 groups of 1 input and 2 output channels, 1x1 kernels, packed into one.
  const compiler::ConvSpec p = compiler::pack_groups(grouped(2, 1, 2, 1, {1, 2, 3, 4}), 2);
  EXPECT_EQ(p.groups, 1);
  EXPECT_EQ(p.cg, 2);
  EXPECT_EQ(p.mg, 4);
  EXPECT_EQ(p.weights, (std::vector<int8_t>{1, 0, 2, 0, 0, 3, 0, 4}));
}

TEST(GroupPacking, FactorsArePowersOfTwoThatFitTheColumns) {
  const npu::Target t = npu::preset("edge");  // 16 columns
  std::vector<int8_t> w(32 * 9, 1);
  compiler::ConvSpec dw = grouped(32, 1, 1, 9, w);
  EXPECT_EQ(compiler::packing_factors(dw, t), (std::vector<int64_t>{1, 2, 4, 8, 16}));
  dw.groups = 6;
  EXPECT_EQ(compiler::packing_factors(dw, t), (std::vector<int64_t>{1, 2}));
  dw.groups = 1;
  EXPECT_EQ(compiler::packing_factors(dw, t), (std::vector<int64_t>{1}));
}

// conv 3x3 to c channels, depthwise 3x3 (stride `stride`), pointwise 1x1; small enough
// to compile for every preset twice under the sanitizers in CI.
QGraph depthwise_block(uint64_t seed, int64_t c, int64_t hw, int64_t stride) {
  QGraph q(seed);
  auto x = q.quantize(q.float_input("x", {1, 3, hw, hw}), 0.02f, 1);
  x = q.conv(x, c, 3, 1, 1, 1, 1, -7, true);
  x = q.conv(x, c, 3, stride, 1, c, -7, 4, true);
  x = q.conv(x, c, 1, 1, 0, 1, 4, -2, false);
  q.g.outputs.push_back(q.dequantize(x, 0.1f, -2));
  return q;
}

TEST(GroupPacking, PackedDepthwiseIsBitExactAndFasterOnEveryPreset) {
  for (int64_t stride : {1, 2}) {
    const QGraph q = depthwise_block(31, 16, 10, stride);
    for (const auto& name : npu::preset_names()) {
      SCOPED_TRACE(name + ", stride " + std::to_string(stride));
      const npu::Target t = npu::preset(name);
      compiler::CompileOptions one_at_a_time;
      one_at_a_time.pack_groups = false;
      const auto packed = compiler::compile(q.g, t), plain = compiler::compile(q.g, t, one_at_a_time);
      const compiler::Placement* dw = nullptr;
      for (const auto& p : packed.placements)
        if (p.layer >= 0 && packed.program.layers.at(p.layer).kind == "dwconv") dw = &p;
      ASSERT_NE(dw, nullptr);
      EXPECT_NE(dw->reason.find("groups packed"), std::string::npos) << dw->reason;
      for (int s = 0; s < static_cast<int>(packed.program.segments.size()); ++s)
        EXPECT_TRUE(testing::ArrivalCheck::run(packed.program, s).empty()) << "segment " << s;
      eval::NpuExecutor ep(q.g, packed), eu(q.g, plain);
      runtime::Interpreter ref(q.g);
      for (uint64_t seed : {1, 2}) {
        const Tensor in = testing::random_input({1, 3, 10, 10}, seed);
        EXPECT_TRUE(ep.run({in})[0].equals(ref.run({in})[0])) << "input seed " << seed;
        EXPECT_TRUE(eu.run({in})[0].equals(ref.run({in})[0])) << "input seed " << seed;
      }
      const sim::LayerStats& a = ep.stats().layers.at(dw->layer);
      const sim::LayerStats& b = eu.stats().layers.at(dw->layer);
      EXPECT_LT(a.cycles, b.cycles);
      EXPECT_LT(a.array_cycles, b.array_cycles);
      // Useful work is the layer's own (3x3 per output, per channel), not the
      // zeros multiplied between the packed groups.
      const int64_t oh = (10 + 2 - 3) / stride + 1;
      EXPECT_EQ(a.macs, 2 * 16 * 9 * oh * oh);  // two images
      EXPECT_EQ(a.macs, b.macs);
    }
  }
}

}  // namespace
}  // namespace etch
