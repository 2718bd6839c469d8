// A tensor the next layer reads on chip and later layers read from DRAM (a
// residual block's input, read by the block's first conv and by its Add): its
// writer, a conv or an Add, leaves it on chip for the next conv and also
// stores it, from the image, for the others. Bit-exact with the reference on
// every preset, with and without a halo on the image.
#include <gtest/gtest.h>

#include "compiler/on_chip_check.h"
#include "compiler/qgraph.h"
#include "etch/compiler/compiler.h"
#include "etch/eval/npu_executor.h"
#include "etch/runtime/interpreter.h"

namespace etch {
namespace {
using testing::QGraph;

// c1 -> c2 (k x k, padding k / 2) -> c3 (1x1) -> add1(c1, c3) -> c4 (1x1) ->
// add2(add1, c4) -> output: c1's output is read by c2 and add1, add1's by c4
// and add2.
QGraph residual_blocks(uint32_t seed, int64_t k) {
  QGraph q(seed);
  auto x = q.float_input("x", {-1, 8, 12, 10});
  auto a = q.quantize(x, 0.02f, 3);
  auto c1 = q.conv(a, 16, 3, 1, 1, 1, 3, -5, true);
  auto c2 = q.conv(c1, 32, k, 1, k / 2, 1, -5, 2, true);
  auto c3 = q.conv(c2, 16, 1, 1, 0, 1, 2, 4, false);
  auto add1 = q.add(c1, c3, -5, 4, 1);
  auto c4 = q.conv(add1, 16, 1, 1, 0, 1, 1, -3, true);
  auto add2 = q.add(add1, c4, 1, -3, 0);
  q.g.outputs.push_back(q.dequantize(add2, 0.05f, 0));
  return q;
}

TEST(SharedImage, WriterKeepsItOnChipAndStoresItBitExactOnEveryPreset) {
  for (int64_t k : {1, 3}) {
    const QGraph q = residual_blocks(50 + static_cast<uint32_t>(k), k);
    const Tensor x = testing::random_input({1, 8, 12, 10}, 11);
    const Tensor want = runtime::Interpreter(q.g).run({x})[0];
    for (const auto& name : npu::preset_names()) {
      SCOPED_TRACE(name + " k " + std::to_string(k));
      const testing::OnAndOffChip m(q.g, npu::preset(name));
      ASSERT_EQ(m.on.layers.size(), 6u);
      const auto &c1 = m.on.layers[0], &c2 = m.on.layers[1], &add1 = m.on.layers[3], &c4 = m.on.layers[4];
      ASSERT_EQ(add1.kind, "add");
      // c1: on chip for c2 (with c2's padding as its halo when k = 3) and
      // stored for add1.
      EXPECT_TRUE(c1.output_on_chip);
      EXPECT_TRUE(c2.input_on_chip);
      EXPECT_GT(testing::count_instrs(m.on, c1, npu::Opcode::Store), 0);
      // add1: on chip for c4 (no halo: c4 is 1x1), and stored for add2.
      EXPECT_TRUE(add1.output_on_chip);
      EXPECT_TRUE(c4.input_on_chip);
      EXPECT_GT(testing::count_instrs(m.on, add1, npu::Opcode::Store), 0);
      testing::expect_exact_and_fewer_dram_reads(q.g, m, x, want);
    }
  }
}

// The stores from the images are what the later readers read: without them
// the Adds read a tensor nobody wrote.
TEST(SharedImage, LaterReadersReadTheStoredCopy) {
  const QGraph q = residual_blocks(60, 1);
  compiler::CompiledModel m = compiler::compile(q.g, npu::preset("mobile"));
  const Tensor x = testing::random_input({1, 8, 12, 10}, 12);
  const Tensor want = runtime::Interpreter(q.g).run({x})[0];
  ASSERT_TRUE(eval::NpuExecutor(q.g, m).run({x})[0].equals(want));
  for (int writer : {0, 3}) {
    SCOPED_TRACE(writer);
    compiler::CompiledModel cut = m;
    int stores = 0;
    for (npu::Instr& in : cut.program.instrs)
      if (in.layer == cut.layers[writer].layer && in.op == npu::Opcode::Store) {
        in[npu::Field::row_bytes] = 1;  // the first byte of each row only
        ++stores;
      }
    ASSERT_GT(stores, 0);
    EXPECT_FALSE(eval::NpuExecutor(q.g, cut).run({x})[0].equals(want));
  }
}

}  // namespace
}  // namespace etch
