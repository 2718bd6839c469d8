#include "etch/quant/float_nodes.h"

#include <gtest/gtest.h>

namespace etch::quant {
namespace {

// x [1,1,4,4] -> Conv "conv" (2 channels, 1x1) -> c; returns c.
ir::ValueId add_conv(ir::Graph& g) {
  g.opset = 13;
  const ir::ValueId x = g.add_input("x", DType::F32, {1, 1, 4, 4});
  Tensor wt(DType::F32, {2, 1, 1, 1});
  wt.data<float>()[0] = 1, wt.data<float>()[1] = -1;
  const ir::ValueId w = g.add_constant("w", wt);
  const ir::ValueId c = g.add_value("c", DType::F32, {1, 2, 4, 4});
  g.add_node("Conv", {x, w}, {c}, "conv", {{"kernel_shape", std::vector<int64_t>{1, 1}}});
  return c;
}

// x -> Conv(w) -> Log -> y: the Conv quantizes, Log has no rule and stays float.
TEST(FloatNodes, NamesEachFloatNodeWithTheReason) {
  ir::Graph g;
  const ir::ValueId c = add_conv(g);
  const ir::ValueId y = g.add_value("y", DType::F32, {1, 2, 4, 4});
  g.add_node("Log", {c}, {y}, "log");
  g.outputs = {y};
  const std::vector<FloatNode> f = float_nodes(g, plan_quantization(g, {}), {});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].node, "log");
  EXPECT_EQ(f[0].why, "no rule for op Log");
  // Kept in float by name: both are listed, the Conv with the reason.
  const std::vector<FloatNode> kept = float_nodes(g, plan_quantization(g, {"conv"}), {"conv"});
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].node, "conv");
  EXPECT_EQ(kept[0].why, "--keep-float");
}

// x -> Conv(w) -> Relu -> Log: the Relu is fused into the Conv, so neither the
// Conv nor the Relu is a float node (the Conv's pre-activation output is not a
// quantized value of its own, and was listed as float before).
TEST(FloatNodes, AConvWithAFusedReluIsNotListed) {
  ir::Graph g;
  const ir::ValueId c = add_conv(g);
  const ir::ValueId r = g.add_value("r", DType::F32, {1, 2, 4, 4});
  const ir::ValueId y = g.add_value("y", DType::F32, {1, 2, 4, 4});
  g.add_node("Relu", {c}, {r}, "relu");
  g.add_node("Log", {r}, {y}, "log");
  g.outputs = {y};
  const QuantPlan plan = plan_quantization(g, {});
  ASSERT_EQ(plan.fused.size(), 1u);
  const std::vector<FloatNode> f = float_nodes(g, plan, {});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].node, "log");
}

}  // namespace
}  // namespace etch::quant
