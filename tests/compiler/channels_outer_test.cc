// Input-channel tiles outside row tiles (TilePlan::c_outer, plan "C>H"): a
// layer that loads both its weights and its whole input from DRAM, with a
// reduction longer than the array, computes each input-channel tile over
// every row tile while the next one's weights and inputs load. The schedule's
// shape, then a compiled layer: bit-exact, race-free, predicted within 10%.
#include <gtest/gtest.h>

#include "compiler/arrival_check.h"
#include "compiler/qgraph.h"
#include "etch/compiler/compiler.h"
#include "etch/compiler/schedule.h"
#include "etch/eval/npu_executor.h"
#include "etch/runtime/interpreter.h"

namespace etch {
namespace {
using testing::QGraph;

TEST(ChannelsOuter, IteratesChannelTilesOutsideRowTiles) {
  compiler::ConvSpec s;
  s.cg = 10, s.mg = 8, s.kh = s.kw = 3, s.pad_t = s.pad_l = 1;
  s.h = s.w = s.oh = s.ow = 12;
  s.in.c = 10, s.in.h = s.in.w = 12, s.in.pad = 1;
  s.out.c = 8, s.out.h = s.out.w = 12;
  compiler::TilePlan p;
  p.tm = 8, p.tc = 4, p.th = 4;  // 3 input-channel tiles (4, 4, 2) x 3 row tiles
  p.c_outer = true;
  const npu::Target t = npu::preset("edge");
  ASSERT_EQ(compiler::plan_overflow(s, p, t), nullptr);
  const compiler::Schedule sc = compiler::make_schedule(s, p, t);
  ASSERT_EQ(sc.tiles.size(), 3u);
  ASSERT_EQ(sc.iters.size(), 9u);
  EXPECT_EQ(sc.out_slots, 3);  // every row tile's accumulators at once
  for (int i = 0; i < 9; ++i) {
    const compiler::Iteration& it = sc.iters[i];
    SCOPED_TRACE(i);
    EXPECT_EQ(it.tile, i % 3);
    EXPECT_EQ(it.ci, i / 3);
    EXPECT_EQ(it.tc, i / 3 < 2 ? 4 : 2);
    EXPECT_TRUE(it.load_x);
    EXPECT_EQ(it.load_w, i % 3 == 0);  // each channel tile's weights once
  }
  for (int tile = 0; tile < 3; ++tile) {
    const compiler::OutTile& o = sc.tiles[tile];
    EXPECT_NE(o.slot, sc.tiles[(tile + 1) % 3].slot);
    EXPECT_EQ(o.first_iter, tile);
    EXPECT_EQ(o.last_iter, 6 + tile);
    EXPECT_EQ(o.rq_iter, std::min(o.last_iter + 1, 8));  // while the next row tile computes
  }
}

// The first layer of a model: 128 -> 128 channels, 3x3, on 40x40, its input
// and weights both from DRAM (M-LSD's first decoder conv after a host Resize).
QGraph deep_first_conv() {
  QGraph q(71);
  auto x = q.float_input("x", {-1, 128, 40, 40});
  auto a = q.quantize(x, 0.02f, 3);
  auto c = q.conv(a, 128, 3, 1, 1, 1, 3, -2, true);
  q.g.outputs.push_back(q.dequantize(c, 0.05f, -2));
  return q;
}

TEST(ChannelsOuter, ChosenForADeepFirstConvBitExactAndPredicted) {
  const QGraph q = deep_first_conv();
  const Tensor x = testing::random_input({1, 128, 40, 40}, 8);
  const Tensor want = runtime::Interpreter(q.g).run({x})[0];
  const compiler::CompiledModel m = compiler::compile(q.g, npu::preset("datacenter"));
  ASSERT_EQ(m.layers.size(), 1u);
  const compiler::LayerReport& l = m.layers[0];
  EXPECT_TRUE(l.plan.c_outer) << l.plan.str();
  EXPECT_NE(l.plan.str().find("C>H"), std::string::npos);
  eval::NpuExecutor ex(q.g, m);
  EXPECT_TRUE(ex.run({x})[0].equals(want));
  for (int seg = 0; seg < static_cast<int>(m.program.segments.size()); ++seg)
    EXPECT_TRUE(testing::ArrivalCheck::run(m.program, seg).empty()) << "segment " << seg;
  const int64_t simulated = ex.stats().layers[l.layer].cycles;
  EXPECT_NEAR(static_cast<double>(l.predicted_cycles), static_cast<double>(simulated), 0.1 * simulated);
  // The second channel tile's weights load early, behind the first channel
  // tile's second input tile: before its second MATMUL in program order come
  // the first channel tile's weights, its parameters and those weights.
  int weight_loads = 0, matmuls = 0;
  for (const npu::Instr& in : m.program.instrs) {
    if (in.layer != l.layer) continue;
    if (in.op == npu::Opcode::Matmul && ++matmuls == 2) break;
    weight_loads += in.op == npu::Opcode::Load && in[npu::Field::buf] == 1;
  }
  EXPECT_EQ(weight_loads, 3);
}

}  // namespace
}  // namespace etch
