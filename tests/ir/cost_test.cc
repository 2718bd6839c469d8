#include "etch/ir/cost.h"

#include <gtest/gtest.h>

namespace etch::ir {
namespace {

Tensor zeros(Shape s) { return Tensor(DType::F32, std::move(s)); }

TEST(Cost, ConvCountsOutputElementsTimesKernelVolumePerGroup) {
  Graph g;
  ValueId x = g.add_input("x", DType::F32, {2, 8, 10, 10});
  ValueId w = g.add_constant("w", zeros({6, 4, 3, 3}));  // group 2: Cin/g = 4
  ValueId b = g.add_constant("b", zeros({6}));
  ValueId y = g.add_value("y", DType::F32, {2, 6, 5, 5});
  g.add_node("Conv", {x, w, b}, {y}, "conv", {{"group", int64_t{2}}});
  NodeCost c = node_cost(g, g.nodes()[0]);
  // N * Cout * Hout * Wout * Cin/g * kh * kw = 2*6*5*5 * 4*3*3
  EXPECT_EQ(c.macs, 2 * 6 * 5 * 5 * 4 * 3 * 3);
  EXPECT_EQ(c.params, 6 * 4 * 3 * 3 + 6);
  EXPECT_TRUE(c.macs_known);
}

TEST(Cost, GemmHonoursTransAAndMatMulBroadcastsBatch) {
  Graph g;
  ValueId a = g.add_input("a", DType::F32, {7, 3});  // transA: A^T is [3, 7], K = 7
  ValueId w = g.add_constant("w", zeros({5, 7}));
  ValueId y = g.add_value("y", DType::F32, {3, 5});
  g.add_node("Gemm", {a, w}, {y}, "fc", {{"transA", int64_t{1}}, {"transB", int64_t{1}}});
  EXPECT_EQ(node_cost(g, g.nodes()[0]).macs, 3 * 5 * 7);

  ValueId p = g.add_input("p", DType::F32, {4, 2, 6});
  ValueId q = g.add_input("q", DType::F32, {6, 9});
  ValueId r = g.add_value("r", DType::F32, {4, 2, 9});
  g.add_node("MatMul", {p, q}, {r}, "mm");
  NodeCost c = node_cost(g, g.nodes()[1]);
  EXPECT_EQ(c.macs, 4 * 2 * 9 * 6);
  EXPECT_EQ(c.params, 0);  // neither operand is constant
}

TEST(Cost, DynamicBatchCountsPerSampleAndSharedConstantsOnce) {
  Graph g;
  ValueId x = g.add_input("x", DType::F32, {-1, 1, 4, 4});
  ValueId s = g.add_constant("s", Tensor::scalar<float>(2.0f));
  ValueId h = g.add_value("h", DType::F32, {-1, 1, 4, 4});
  g.add_node("Mul", {x, s}, {h}, "scale");
  ValueId w = g.add_constant("w", zeros({3, 1, 3, 3}));
  ValueId y = g.add_value("y", DType::F32, {-1, 3, 2, 2});
  g.add_node("Conv", {h, w}, {y}, "conv");
  ValueId z = g.add_value("z", DType::F32, {-1, 3, 2, 2});
  g.add_node("Mul", {y, s}, {z}, "scale2");
  g.outputs = {z};
  GraphCost c = graph_cost(g);
  ASSERT_EQ(c.nodes.size(), 3u);
  EXPECT_EQ(c.nodes[0].macs, 0);  // element-wise ops are not MACs
  EXPECT_EQ(c.nodes[0].params, 1);
  EXPECT_EQ(c.nodes[1].macs, 3 * 2 * 2 * 9);  // one sample
  EXPECT_EQ(c.nodes[2].params, 1);
  EXPECT_EQ(c.params, 1 + 27);  // the scalar is shared, counted once
  EXPECT_EQ(c.macs, 108);
  EXPECT_TRUE(c.per_sample);
  EXPECT_TRUE(c.macs_known);
}

TEST(Cost, UnknownRankMakesMacsUnknown) {
  Graph g;
  ValueId x = g.add_value("x", DType::F32, {}, /*has_shape=*/false);
  g.inputs.push_back(x);
  ValueId w = g.add_constant("w", zeros({4, 4}));
  ValueId y = g.add_value("y", DType::F32, {}, false);
  g.add_node("MatMul", {x, w}, {y}, "mm");
  GraphCost c = graph_cost(g);
  EXPECT_FALSE(c.nodes[0].macs_known);
  EXPECT_FALSE(c.macs_known);
  EXPECT_EQ(c.nodes[0].params, 16);
}

TEST(Cost, ConvTransposeCountsInputElementsTimesWeightSlice) {
  Graph g;
  ValueId x = g.add_input("x", DType::F32, {1, 2, 3, 3});
  ValueId w = g.add_constant("w", zeros({2, 5, 2, 2}));  // [Cin, Cout/g, kh, kw]
  ValueId y = g.add_value("y", DType::F32, {1, 5, 6, 6});
  g.add_node("ConvTranspose", {x, w}, {y}, "up", {{"strides", std::vector<int64_t>{2, 2}}});
  EXPECT_EQ(node_cost(g, g.nodes()[0]).macs, 1 * 2 * 3 * 3 * 5 * 2 * 2);
}

}  // namespace
}  // namespace etch::ir
