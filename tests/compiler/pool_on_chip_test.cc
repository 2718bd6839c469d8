// Pools between convs keep activations on chip: a max pool reads its conv
// writer's output where the conv left it and writes its own output as the
// next conv's input image (halo filled with the zero point). Bit-exact with
// the reference and with the program through DRAM, on every preset.
#include <gtest/gtest.h>

#include "compiler/on_chip_check.h"
#include "compiler/qgraph.h"
#include "etch/compiler/compiler.h"
#include "etch/eval/npu_executor.h"
#include "etch/runtime/interpreter.h"

namespace etch {
namespace {
using testing::QGraph;

// conv 3x3 -> 2x2 max pool -> conv 3x3 (padding `pad`) -> output.
QGraph conv_pool_conv(uint32_t seed, int64_t pad) {
  QGraph q(seed);
  auto x = q.float_input("x", {-1, 8, 20, 12});
  auto a = q.quantize(x, 0.02f, 3);
  auto c1 = q.conv(a, 16, 3, 1, 1, 1, 3, -5, true);
  auto p = q.maxpool(c1, 2, 2);
  auto c2 = q.conv(p, 16, 3, 1, pad, 1, -5, 2, false);
  q.g.outputs.push_back(q.dequantize(c2, 0.05f, 2));
  return q;
}

struct Layers {
  const compiler::LayerReport *writer = nullptr, *pool = nullptr, *reader = nullptr;
};

Layers find_layers(const compiler::CompiledModel& m) {
  Layers l;
  for (size_t i = 0; i < m.layers.size(); ++i)
    if (m.layers[i].kind == "maxpool" && i > 0 && i + 1 < m.layers.size())
      l = {&m.layers[i - 1], &m.layers[i], &m.layers[i + 1]};
  return l;
}

TEST(PoolOnChip, ReadsAndWritesImagesBitExactOnEveryPreset) {
  for (int64_t pad : {0, 1}) {
    const QGraph q = conv_pool_conv(31 + static_cast<uint32_t>(pad), pad);
    const Tensor x = testing::random_input({1, 8, 20, 12}, 9);
    const Tensor want = runtime::Interpreter(q.g).run({x})[0];
    for (const auto& name : npu::preset_names()) {
      SCOPED_TRACE(name + " pad " + std::to_string(pad));
      const testing::OnAndOffChip m(q.g, npu::preset(name));
      const Layers l = find_layers(m.on);
      ASSERT_NE(l.pool, nullptr);
      EXPECT_TRUE(l.writer->output_on_chip);
      EXPECT_TRUE(l.pool->input_on_chip);
      EXPECT_TRUE(l.pool->output_on_chip);
      EXPECT_TRUE(l.reader->input_on_chip);
      EXPECT_EQ(testing::count_instrs(m.on, *l.writer, npu::Opcode::Store), 0);
      EXPECT_EQ(testing::count_instrs(m.on, *l.pool, npu::Opcode::Load), 0);
      EXPECT_EQ(testing::count_instrs(m.on, *l.pool, npu::Opcode::Store), 0);
      testing::expect_exact_and_fewer_dram_reads(q.g, m, x, want);
    }
  }
}

// The pool's output image has the reader's padding as its halo, which must
// hold the zero point: with the halo fills writing another value the
// reader's border outputs change.
TEST(PoolOnChip, TheOutputImageGetsAZeroPointHalo) {
  const QGraph q = conv_pool_conv(40, 1);
  compiler::CompiledModel m = compiler::compile(q.g, npu::preset("mobile"));
  const Layers l = find_layers(m);
  ASSERT_NE(l.pool, nullptr);
  ASSERT_TRUE(l.pool->output_on_chip);
  const Tensor x = testing::random_input({1, 8, 20, 12}, 10);
  const Tensor want = runtime::Interpreter(q.g).run({x})[0];
  ASSERT_TRUE(eval::NpuExecutor(q.g, m).run({x})[0].equals(want));
  int fills = 0;
  for (npu::Instr& in : m.program.instrs)
    if (in.layer == l.pool->layer && in.op == npu::Opcode::Pool && in[npu::Field::mode] == npu::kPoolAvg) {
      in[npu::Field::y_zp] += 1;
      ++fills;
    }
  ASSERT_GE(fills, 2);  // the rows above and below, at least
  EXPECT_FALSE(eval::NpuExecutor(q.g, m).run({x})[0].equals(want));
}

}  // namespace
}  // namespace etch
