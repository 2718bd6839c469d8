// Every compiled program is race-free: no PRELOAD, MATMUL, REQUANT or STORE
// touches on-chip memory before the LOAD or REQUANT it depends on has
// delivered (DMA latency included), and no write lands while an earlier read
// of the same bytes runs. Checked on every preset for graphs that exercise
// tiling, double buffering, cross-layer prefetch, 2:4 sparsity and
// activations kept on chip between layers.
#include <gtest/gtest.h>

#include <numeric>

#include "compiler/arrival_check.h"
#include "compiler/fixtures.h"
#include "etch/compiler/compiler.h"
#include "etch/npu/target.h"

namespace etch {
namespace {

using testing::ArrivalCheck;

std::string joined(const std::vector<std::string>& v) {
  return std::accumulate(v.begin(), v.end(), std::string{},
                         [](std::string a, const std::string& b) { return a + b + "\n"; });
}

void expect_race_free(const ir::Graph& g, const std::string& what) {
  for (const auto& name : npu::preset_names()) {
    const compiler::CompiledModel m = compiler::compile(g, npu::preset(name));
    for (int s = 0; s < static_cast<int>(m.program.segments.size()); ++s) {
      const auto errors = ArrivalCheck::run(m.program, s);
      EXPECT_TRUE(errors.empty()) << what << " on " << name << ", segment " << s << ":\n" << joined(errors);
    }
  }
}

TEST(Arrival, SmallCnn) { expect_race_free(testing::small_cnn(7).g, "small_cnn"); }
TEST(Arrival, OddLayers) { expect_race_free(testing::odd_layers(5).g, "odd_layers"); }
TEST(Arrival, LargeLayers) { expect_race_free(testing::large_layers(11).g, "large_layers"); }
TEST(Arrival, PrefetchedLayers) { expect_race_free(testing::three_convs(12).g, "three_convs"); }
TEST(Arrival, SparseLayers) { expect_race_free(testing::sparse_convs(8).g, "sparse_convs"); }
TEST(Arrival, ResidualBlock) { expect_race_free(testing::residual_block(13).g, "residual_block"); }
TEST(Arrival, WideRows) { expect_race_free(testing::wide_rows(15).g, "wide_rows"); }
TEST(Arrival, ActivationsOnChip) { expect_race_free(testing::conv_chain(17).g, "conv_chain"); }
TEST(Arrival, RowPhasesAndResidentWeights) { expect_race_free(testing::wide_and_dilated(14).g, "wide_and_dilated"); }

// The check can fail: with the token that holds a PRELOAD back until its
// weights arrive removed, the PRELOAD starts while they are in flight.
TEST(Arrival, FlagsAPreloadThatDoesNotWaitForItsWeights) {
  compiler::CompiledModel m = compiler::compile(testing::three_convs(12).g, npu::preset("edge"));
  ASSERT_TRUE(ArrivalCheck::run(m.program, 0).empty());
  auto& ins = m.program.instrs;
  size_t preload = ins.size();
  for (size_t i = 0; i < ins.size() && preload == ins.size(); ++i)
    if (ins[i].op == npu::Opcode::Preload && (ins[i].tokens & npu::kPopPrev)) preload = i;
  ASSERT_LT(preload, ins.size());
  // Drop the pop and the matching push (the last load group before it), so
  // the token queues stay balanced.
  size_t push = preload;
  while (push > 0 && !(ins[push - 1].op == npu::Opcode::Load && (ins[push - 1].tokens & npu::kPushNext))) --push;
  ASSERT_GT(push, 0u);
  ins[preload].tokens &= static_cast<uint8_t>(~npu::kPopPrev);
  ins[push - 1].tokens &= static_cast<uint8_t>(~npu::kPushNext);
  const auto errors = ArrivalCheck::run(m.program, 0);
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors.front().find("write arrives"), std::string::npos) << errors.front();
}

// ... and a LOAD that refills a slot without waiting for the compute that
// reads it overwrites data still in use.
TEST(Arrival, FlagsALoadThatOverwritesASlotInUse) {
  // An input buffer too small for any layer's whole input: input tiles take
  // turns in two slots.
  npu::Target t = npu::preset("edge");
  t.input_buffer_bytes = 8 * 1024;
  compiler::CompiledModel m = compiler::compile(testing::large_layers(11).g, t);
  auto& ins = m.program.instrs;
  auto first = [&](npu::Queue q, uint8_t token) {
    for (size_t i = 0; i < ins.size(); ++i)
      if (npu::queue_of(ins[i]) == q && ins[i].op != npu::Opcode::Barrier && (ins[i].tokens & token)) return i;
    return ins.size();
  };
  // The loads stop waiting for compute: every pop on the load queue and the
  // compute queue's pushes that feed them go (the queues stay balanced), so
  // the load engine refills slots as fast as the DRAM channel allows.
  ASSERT_LT(first(npu::Queue::Load, npu::kPopNext), ins.size());
  for (npu::Instr& in : ins) {
    if (in.op == npu::Opcode::Barrier) continue;
    if (npu::queue_of(in) == npu::Queue::Load) in.tokens &= static_cast<uint8_t>(~npu::kPopNext);
    if (npu::queue_of(in) == npu::Queue::Compute) in.tokens &= static_cast<uint8_t>(~npu::kPushPrev);
  }
  const auto errors = ArrivalCheck::run(m.program, 0);
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors.front().find("read runs until"), std::string::npos) << errors.front();
}

}  // namespace
}  // namespace etch
