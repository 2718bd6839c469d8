// Placement: every lowering runs its ops on the NPU when it can, and says why
// when a node must stay on the host.
#include <gtest/gtest.h>

#include "compiler/qgraph.h"
#include "etch/compiler/compiler.h"
#include "etch/compiler/lower.h"

namespace etch::compiler {
namespace {

using testing::QGraph;

// A quantized [1, c, h, w] input.
ir::ValueId int8_input(QGraph& q, Shape s) { return q.quantize(q.float_input("x", s), 0.05f, 3); }

const ir::Node& producer(const QGraph& q, ir::ValueId v) { return *q.g.find_node(q.g.value(v).producer); }

std::string reason(const QGraph& q, ir::ValueId v) { return host_reason(q.g, producer(q, v)); }

// Requantization attributes valid for `m` output channels.
std::map<std::string, ir::Attribute> requant(int64_t m) {
  return {{"multipliers", std::vector<int64_t>(m, int64_t{1} << 30)}, {"shifts", std::vector<int64_t>(m, 0)}};
}

TEST(Placement, QConvRunsOnTheNpuUnlessWeightsVaryOrStridesOverflowTheIsa) {
  QGraph q(1);
  const ir::ValueId x = int8_input(q, {1, 2, 300, 4});
  EXPECT_EQ(reason(q, q.conv(x, 4, 3, 1, 1, 1, 3, 0, false)), "");
  EXPECT_EQ(reason(q, q.conv(x, 4, 1, 256, 0, 1, 3, 0, false)), "stride larger than 255");
  // One output channel: a varying weight with more would first fail the
  // batch-1 check that every non-constant input passes.
  const ir::ValueId w = q.g.add_input("w", DType::I8, {1, 2, 1, 1});
  auto attrs = requant(1);
  attrs["kernel_shape"] = std::vector<int64_t>{1, 1};
  EXPECT_EQ(reason(q, q.node("QConv", "ai.etch", {x, w}, attrs)), "needs int8 input and constant weights");
}

TEST(Placement, QGemmNeedsConstantWeights) {
  QGraph q(2);
  const ir::ValueId x = int8_input(q, {1, 8});
  EXPECT_EQ(reason(q, q.gemm(x, 3, 3, 0, false)), "");
  const ir::ValueId w = q.g.add_input("w", DType::I8, {1, 8});
  EXPECT_EQ(reason(q, q.node("QGemm", "ai.etch", {x, w}, requant(1))), "needs int8 input and constant weights");
}

TEST(Placement, QAddDoesNotBroadcast) {
  QGraph q(3);
  const ir::ValueId a = int8_input(q, {1, 4, 3, 3});
  const ir::ValueId b = q.quantize(q.float_input("y", {1, 4, 1, 1}), 0.05f, 0);
  EXPECT_EQ(reason(q, q.add(a, a, 3, 3, 0)), "");
  EXPECT_EQ(reason(q, q.add(a, b, 3, 0, 0)), "broadcasting add (inputs differ in shape)");
}

TEST(Placement, PoolsRejectCeilModeAndDilation) {
  QGraph q(4);
  const ir::ValueId x = int8_input(q, {1, 2, 9, 9});
  EXPECT_EQ(reason(q, q.maxpool(x, 2, 2)), "");
  EXPECT_EQ(reason(q, q.avgpool(x, 3, 1, 1, 3, 0)), "");
  const std::vector<int64_t> k{2, 2};
  EXPECT_EQ(reason(q, q.node("MaxPool", "", {x}, {{"kernel_shape", k}, {"ceil_mode", int64_t{1}}})), "ceil_mode");
  EXPECT_EQ(reason(q, q.node("MaxPool", "", {x}, {{"kernel_shape", k}, {"dilations", k}})), "dilated pooling");
  const ir::ValueId xf = q.float_input("f", {1, 2, 9, 9});
  EXPECT_EQ(reason(q, q.node("MaxPool", "", {xf}, {{"kernel_shape", k}})), "needs a 4-D int8 input");
}

TEST(Placement, QLutNeedsAConstantTable) {
  QGraph q(5);
  const ir::ValueId x = int8_input(q, {1, 2, 3, 3});
  EXPECT_EQ(reason(q, q.lut(x)), "");
  const ir::ValueId t = q.g.add_input("table", DType::I8, {1, 256});
  EXPECT_EQ(reason(q, q.node("QLut", "ai.etch", {x, t}, {})), "needs int8 input and a 256-entry table");
}

TEST(Placement, ConcatOnlyAlongChannels) {
  QGraph q(6);
  const ir::ValueId x = int8_input(q, {1, 2, 3, 3});
  EXPECT_EQ(reason(q, q.concat({x, x})), "");
  EXPECT_EQ(reason(q, q.node("Concat", "", {x, x}, {{"axis", int64_t{2}}})), "only channel concatenation");
}

TEST(Placement, ViewsOfFloatDataAndBoundaryOpsStayOnTheHost) {
  QGraph q(7);
  const ir::ValueId xf = q.float_input("f", {1, 2, 3, 3});
  const ir::ValueId x = q.quantize(xf, 0.05f, 3);
  EXPECT_EQ(reason(q, q.flatten(x)), "");
  EXPECT_EQ(reason(q, q.flatten(xf)), "float data");
  EXPECT_EQ(reason(q, x), "float <-> int8 conversion at the model boundary");
  EXPECT_EQ(reason(q, q.dequantize(x, 0.05f, 3)), "float <-> int8 conversion at the model boundary");
}

TEST(Placement, OpsWithoutALoweringAndUnknownShapesSayWhy) {
  QGraph q(8);
  const ir::ValueId xf = q.float_input("f", {1, 2, 3, 3});
  EXPECT_EQ(reason(q, q.relu_float(xf)), "no NPU lowering for Relu");
  const ir::ValueId batch2 = q.quantize(q.float_input("b", {2, 2, 3, 3}), 0.05f, 0);
  EXPECT_EQ(reason(q, q.lut(batch2)), "output shape unknown or batch > 1");
}

TEST(Placement, CompileReportsTheReasonOfEveryHostNode) {
  QGraph q(9);
  const ir::ValueId x = int8_input(q, {1, 2, 6, 6});
  const ir::ValueId y = q.conv(x, 4, 3, 1, 1, 1, 3, 0, false);
  q.g.outputs = {q.relu_float(q.dequantize(y, 0.1f, 0))};
  const CompiledModel m = compile(q.g, npu::preset("edge"));
  std::map<std::string, std::string> reasons;
  for (const Placement& p : m.placements)
    if (!p.npu) reasons[p.op] = p.reason;
  EXPECT_EQ(reasons.at("Relu"), "no NPU lowering for Relu");
  EXPECT_EQ(reasons.at("QuantizeLinear"), "float <-> int8 conversion at the model boundary");
  for (const Placement& p : m.placements)
    if (p.op == "QConv") {
      EXPECT_TRUE(p.npu);
      EXPECT_EQ(p.reason.rfind("conv ", 0), 0u) << p.reason;  // kind, then the chosen tiling
    }
}

// The MACs of each placement, and the share left on the host: a 3x3 conv on
// the NPU, then a float MatMul the host runs, both counted by hand.
TEST(Placement, MacShareCountsEachSide) {
  QGraph q(9);
  const ir::ValueId x = int8_input(q, {1, 2, 5, 5});
  const ir::ValueId c = q.conv(x, 4, 3, 1, 1, 1, 3, 0, false);  // 4 x 5 x 5 outputs x 2 x 3 x 3 = 1800 MACs
  const ir::ValueId f = q.dequantize(q.flatten(c), 0.1f, 0);    // [1, 100]
  Tensor w(DType::F32, {100, 6});
  for (int64_t i = 0; i < w.numel(); ++i) w.data<float>()[i] = 0.01f * static_cast<float>(i % 7);
  q.g.outputs.push_back(q.node("MatMul", "", {f, q.g.add_constant("w", w)}, {}));  // 1 x 6 x 100 = 600 MACs
  const CompiledModel m = compile(q.g, npu::preset("edge"));
  int64_t conv_macs = -1, matmul_macs = -1;
  for (const Placement& p : m.placements) {
    if (p.op == "QConv") conv_macs = p.npu ? p.macs : -2;
    if (p.op == "MatMul") matmul_macs = p.npu ? -2 : p.macs;
    EXPECT_EQ(p.boundary, p.op == "QuantizeLinear" || p.op == "DequantizeLinear") << p.node;
  }
  EXPECT_EQ(conv_macs, 1800);
  EXPECT_EQ(matmul_macs, 600);
  const MacShare share = mac_share(m);
  EXPECT_EQ(share.npu, 1800);
  EXPECT_EQ(share.host, 600);
  EXPECT_DOUBLE_EQ(share.host_fraction(), 0.25);
}

}  // namespace
}  // namespace etch::compiler
