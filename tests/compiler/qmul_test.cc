// QMul on the NPU: a squeeze-and-excitation block (global pool -> 1x1 convs
// -> table -> channel-wise multiply) and same-shape products compiled for
// every preset and a tiny target that splits channels and rows; the simulator
// equals the integer reference interpreter bit for bit, the programs are race
// free, and a broadcast other than per channel stays on the host with its
// reason.
#include <gtest/gtest.h>

#include "compiler/arrival_check.h"
#include "compiler/qgraph.h"
#include "etch/compiler/compiler.h"
#include "etch/compiler/lower.h"
#include "etch/eval/npu_executor.h"
#include "etch/npu/vector/mul.h"
#include "etch/runtime/interpreter.h"

namespace etch {
namespace {

using testing::QGraph;

ir::ValueId qmul(QGraph& q, ir::ValueId a, ir::ValueId b, int azp, int bzp, int yzp, int act_min = -128) {
  const auto m = runtime::quantize_multiplier(q.uniform(0.5, 2.0) / 128.0);
  return q.node("QMul", "ai.etch", {a, b},
                {{"a_zero_point", int64_t{azp}},
                 {"b_zero_point", int64_t{bzp}},
                 {"y_zero_point", int64_t{yzp}},
                 {"multiplier", int64_t{m.multiplier}},
                 {"shift", int64_t{m.shift}},
                 {"act_min", int64_t{act_min}},
                 {"act_max", int64_t{127}}});
}

// conv 3x3 (c channels, relu) -> x; s = table(conv1x1(relu(conv1x1(GAP(x))))) [1, c, 1, 1];
// y = x * s (or s * x), then a residual add of x.
QGraph se_block(uint64_t seed, int64_t c, int64_t hw, bool scale_first) {
  QGraph q(seed);
  auto in = q.quantize(q.float_input("x", {1, 3, hw, hw}), 0.02f, 3);
  auto x = q.conv(in, c, 3, 1, 1, 1, 3, -20, true);
  auto s = q.avgpool(x, hw, hw, 0, -20, 5);
  s = q.conv(s, c / 4, 1, 1, 0, 1, 5, -9, true);
  s = q.lut(q.conv(s, c, 1, 1, 0, 1, -9, 2, false));
  auto y = scale_first ? qmul(q, s, x, 0, -20, 7) : qmul(q, x, s, -20, 0, 7);
  y = q.add(y, x, 7, -20, 1);
  q.g.outputs.push_back(q.dequantize(y, 0.1f, 1));
  return q;
}

// Two convs of the same input multiplied element by element, clamped below.
QGraph product(uint64_t seed) {
  QGraph q(seed);
  auto in = q.quantize(q.float_input("x", {1, 4, 9, 7}), 0.02f, -3);
  auto u = q.conv(in, 6, 3, 1, 1, 1, -3, 4, false);
  auto v = q.conv(in, 6, 1, 1, 0, 1, -3, -6, true);
  q.g.outputs.push_back(q.dequantize(qmul(q, u, v, 4, -6, -10, -30), 0.1f, -10));
  return q;
}

npu::Target tiny() {
  npu::Target t = npu::preset("edge");
  t.name = "tiny";
  t.rows = 5;
  t.cols = 3;
  t.input_buffer_bytes = 1024;
  t.weight_buffer_bytes = 512;
  t.accumulator_buffer_bytes = 512;
  t.vector_lanes = 3;
  return t;
}

int mul_layers(const compiler::CompiledModel& m) {
  int n = 0;
  for (const auto& p : m.placements)
    if (p.op == "QMul") {
      EXPECT_TRUE(p.npu) << p.node << ": " << p.reason;
      EXPECT_EQ(m.program.layers.at(p.layer).kind, "mul");
      ++n;
    }
  int instrs = 0;
  for (const auto& in : m.program.instrs) instrs += in.op == npu::Opcode::Mul;
  EXPECT_GE(instrs, n);
  return n;
}

void expect_bit_exact(const ir::Graph& g, const npu::Target& t) {
  const compiler::CompiledModel m = compiler::compile(g, t);
  EXPECT_EQ(mul_layers(m), 1) << t.name;
  for (int s = 0; s < static_cast<int>(m.program.segments.size()); ++s)
    EXPECT_TRUE(testing::ArrivalCheck::run(m.program, s).empty()) << t.name << " segment " << s;
  eval::NpuExecutor ex(g, m);
  runtime::Interpreter ref(g);
  for (uint64_t seed : {11, 12, 13}) {
    const Tensor x = testing::random_input(g.value(g.inputs[0]).shape, seed);
    const std::vector<Tensor> want = ref.run({x}), got = ex.run({x});
    ASSERT_EQ(want.size(), got.size());
    EXPECT_TRUE(want[0].equals(got[0])) << t.name << ", input seed " << seed;
  }
}

TEST(QMulNpu, SqueezeAndExcitationBitExactOnEveryTarget) {
  for (bool scale_first : {false, true}) {
    SCOPED_TRACE(scale_first ? "s * x" : "x * s");
    const QGraph q = se_block(21, 16, 8, scale_first);
    for (const auto& name : npu::preset_names()) expect_bit_exact(q.g, npu::preset(name));
    expect_bit_exact(q.g, tiny());
  }
}

TEST(QMulNpu, TinyTargetSplitsChannelsAndRows) {
  const QGraph q = se_block(22, 32, 12, false);
  const compiler::CompiledModel m = compiler::compile(q.g, tiny());
  int muls = 0;
  bool partial = false;
  for (const auto& in : m.program.instrs)
    if (in.op == npu::Opcode::Mul) {
      ++muls;
      EXPECT_EQ(in[npu::Field::mode], npu::kMulPerChannel);
      partial = partial || in[npu::Field::c] < 32;
    }
  EXPECT_GT(muls, 2) << "32 x 12 x 12 does not fit 1 KiB in one tile";
  EXPECT_TRUE(partial);
  expect_bit_exact(q.g, tiny());
}

TEST(QMulNpu, SameShapeProductBitExact) {
  const QGraph q = product(23);
  for (const auto& name : npu::preset_names()) expect_bit_exact(q.g, npu::preset(name));
  expect_bit_exact(q.g, tiny());
  for (const auto& in : compiler::compile(q.g, tiny()).program.instrs)
    if (in.op == npu::Opcode::Mul) {
      EXPECT_EQ(in[npu::Field::mode], npu::kMulSameShape);
    }
}

TEST(QMulNpu, PlacementNamesABroadcastOtherThanPerChannel) {
  QGraph q(24);
  auto x = q.quantize(q.float_input("x", {1, 4, 3, 5}), 0.05f, 3);
  auto per_channel = q.quantize(q.float_input("s", {1, 4, 1, 1}), 0.05f, 0);
  auto per_column = q.quantize(q.float_input("r", {1, 1, 1, 5}), 0.05f, 0);
  auto reason = [&](ir::ValueId v) { return compiler::host_reason(q.g, *q.g.find_node(q.g.value(v).producer)); };
  EXPECT_EQ(reason(qmul(q, x, x, 3, 3, 0)), "");
  EXPECT_EQ(reason(qmul(q, x, per_channel, 3, 0, 0)), "");
  EXPECT_EQ(reason(qmul(q, per_channel, x, 0, 3, 0)), "");
  EXPECT_EQ(reason(qmul(q, x, per_column, 3, 0, 0)),
            "broadcasting multiply other than per channel (inputs [1, 4, 3, 5] and [1, 1, 1, 5]; the NPU takes the "
            "same shape or [1, C, H, W] by [1, C, 1, 1])");
}

// Compiled, such a node runs on the host with that reason and the result stays exact.
TEST(QMulNpu, HostFallbackForAPerColumnScaleIsReportedAndExact) {
  QGraph q(25);
  auto in = q.quantize(q.float_input("x", {1, 3, 6, 6}), 0.02f, 0);
  auto x = q.conv(in, 4, 3, 1, 1, 1, 0, 2, false);
  Tensor row(DType::I8, {1, 1, 1, 6});  // a per-column scale
  for (int i = 0; i < 6; ++i) row.data<int8_t>()[i] = static_cast<int8_t>(20 * i - 50);
  auto r = q.g.add_constant("row", row);
  q.g.outputs.push_back(q.dequantize(qmul(q, x, r, 2, 1, 0), 0.1f, 0));
  const compiler::CompiledModel m = compiler::compile(q.g, npu::preset("edge"));
  bool seen = false;
  for (const auto& p : m.placements)
    if (p.op == "QMul") {
      seen = true;
      EXPECT_FALSE(p.npu);
      EXPECT_NE(p.reason.find("other than per channel"), std::string::npos) << p.reason;
    }
  EXPECT_TRUE(seen);
  eval::NpuExecutor ex(q.g, m);
  const Tensor t = testing::random_input({1, 3, 6, 6}, 3);
  EXPECT_TRUE(runtime::Interpreter(q.g).run({t})[0].equals(ex.run({t})[0]));
}

}  // namespace
}  // namespace etch
