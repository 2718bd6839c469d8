// A conv/gemm layer behind a vector-unit layer (a pool, an add) may prefetch
// its weights one layer further back, behind the conv before that layer
// (TilePlan::prefetch_early): the weights then load while that conv computes.
// The prefetch's LOADs go before that conv's BARRIER with a compute-queue
// SYNC popping their token, the program stays bit-exact and race-free, and
// the cost model still predicts every conv within 10%.
#include <gtest/gtest.h>

#include "compiler/arrival_check.h"
#include "compiler/qgraph.h"
#include "etch/compiler/compiler.h"
#include "etch/eval/npu_executor.h"
#include "etch/runtime/interpreter.h"

namespace etch {
namespace {
using testing::QGraph;

// conv 3x3 (few weights, many MACs) -> max pool or residual add -> conv 3x3
// with many weights, whose load the vector layer between is too short (the
// pool) or too busy with DRAM (the add) to hide.
QGraph conv_vector_conv(bool pool) {
  QGraph q(pool ? 71 : 72);
  auto x = q.float_input("x", {-1, 32, 24, 24});
  auto a = q.quantize(x, 0.02f, 3);
  auto c1 = q.conv(a, 32, 3, 1, 1, 1, 3, -5, true);
  auto v = pool ? q.maxpool(c1, 2, 2) : q.add(c1, a, -5, 3, 1);
  auto c2 = q.conv(v, 128, 3, 1, 1, 1, pool ? -5 : 1, 2, false);
  q.g.outputs.push_back(q.dequantize(c2, 0.05f, 2));
  return q;
}

TEST(PrefetchEarly, BehindThePoolOrTheAddLoadsWhileTheConvBeforeComputes) {
  for (const bool pool : {true, false}) {
    const QGraph q = conv_vector_conv(pool);
    const Tensor x = testing::random_input({1, 32, 24, 24}, pool ? 5 : 6);
    const Tensor want = runtime::Interpreter(q.g).run({x})[0];
    for (const auto& name : npu::preset_names()) {
      SCOPED_TRACE(name + (pool ? " pool" : " add"));
      const compiler::CompiledModel m = compiler::compile(q.g, npu::preset(name));
      ASSERT_EQ(m.layers.size(), 3u);
      const compiler::LayerReport &writer = m.layers[0], &vec = m.layers[1], &reader = m.layers[2];
      eval::NpuExecutor ex(q.g, m);
      EXPECT_TRUE(ex.run({x})[0].equals(want));
      // No read of on-chip memory before its data is in (the prefetched
      // layer's MATMULs wait for no token of the prefetch).
      for (int seg = 0; seg < static_cast<int>(m.program.segments.size()); ++seg)
        EXPECT_TRUE(testing::ArrivalCheck::run(m.program, seg).empty()) << "segment " << seg;
      for (const compiler::LayerReport* l : {&writer, &reader}) {
        const int64_t simulated = ex.stats().layers[l->layer].cycles;
        EXPECT_NEAR(static_cast<double>(l->predicted_cycles), static_cast<double>(simulated), 0.1 * simulated)
            << l->name << " " << l->plan.str();
      }
      if (name != "datacenter") continue;
      // 37 KiB of weights at 43 bytes a cycle: only the conv before hides them.
      ASSERT_TRUE(reader.plan.prefetch_early) << reader.plan.str();
      EXPECT_NE(reader.plan.str().find(" pfb"), std::string::npos);
      // Program order: the reader's background LOADs, a compute SYNC popping
      // their token, the writer's BARRIER, then the vector layer.
      const auto& in = m.program.instrs;
      size_t last_piece = 0, first_vec = in.size();
      for (size_t i = 0; i < in.size(); ++i) {
        if (in[i].layer == reader.layer && in[i].op == npu::Opcode::Load && in[i][npu::Field::background])
          last_piece = i;
        if (in[i].layer == vec.layer) first_vec = std::min(first_vec, i);
      }
      ASSERT_GT(last_piece, 0u);
      ASSERT_LT(last_piece + 2, first_vec);
      EXPECT_TRUE(in[last_piece].tokens & npu::kPushNext);
      EXPECT_EQ(in[last_piece + 1].op, npu::Opcode::Sync);
      EXPECT_TRUE(in[last_piece + 1].tokens & npu::kPopPrev);
      EXPECT_EQ(in[last_piece + 2].op, npu::Opcode::Barrier);
    }
  }
}

}  // namespace
}  // namespace etch
