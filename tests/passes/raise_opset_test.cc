#include "etch/passes/raise_opset.h"

#include <gtest/gtest.h>

namespace etch::passes {
namespace {

TEST(RaiseOpset, MovesAxesAndSplitToInputsAndPinsSoftmaxAxis) {
  ir::Graph g;
  g.opset = 12;
  const ir::ValueId x = g.add_input("x", DType::F32, {1, 4, 1});
  const ir::ValueId sq = g.add_value("sq", DType::F32, {1, 4});
  const ir::ValueId a = g.add_value("a", DType::F32, {1, 2});
  const ir::ValueId b = g.add_value("b", DType::F32, {1, 2});
  const ir::ValueId sm = g.add_value("sm", DType::F32, {1, 2});
  g.add_node("Squeeze", {x}, {sq}, "squeeze", {{"axes", std::vector<int64_t>{2}}});
  g.add_node("Split", {sq}, {a, b}, "split", {{"axis", int64_t{1}}, {"split", std::vector<int64_t>{2, 2}}});
  g.add_node("Softmax", {a}, {sm}, "softmax");
  g.outputs = {sm, b};
  EXPECT_EQ(raise_to_opset13(g), "");
  EXPECT_EQ(g.opset, 13);
  const ir::Node& squeeze = *g.find_node_by_name("squeeze");
  EXPECT_FALSE(squeeze.has_attr("axes"));
  ASSERT_EQ(squeeze.inputs.size(), 2u);
  EXPECT_EQ(g.value(squeeze.inputs[1]).data->to_int64_vector(), (std::vector<int64_t>{2}));
  const ir::Node& split = *g.find_node_by_name("split");
  ASSERT_EQ(split.inputs.size(), 2u);
  EXPECT_EQ(g.value(split.inputs[1]).data->to_int64_vector(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(g.find_node_by_name("softmax")->attr_int("axis", 0), -1);
}

TEST(RaiseOpset, RefusesASoftmaxOverSeveralAxes) {
  ir::Graph g;
  g.opset = 11;
  const ir::ValueId x = g.add_input("x", DType::F32, {1, 3, 4});
  const ir::ValueId y = g.add_value("y", DType::F32, {1, 3, 4});
  g.add_node("Softmax", {x}, {y}, "sm");  // opset 11: over axes 1..2 flattened
  g.outputs = {y};
  const std::string why = raise_to_opset13(g);
  EXPECT_NE(why.find("'sm'"), std::string::npos) << why;
  EXPECT_EQ(g.opset, 11);
}

}  // namespace
}  // namespace etch::passes
