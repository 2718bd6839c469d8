// The quantization rule registry (quant_rule.h): which rule answers for an op,
// and what its selector refuses, as PTQ planning sees it.
#include "etch/quant/quant_rule.h"

#include <gtest/gtest.h>

#include "etch/quant/ptq_plan.h"

namespace etch::quant {
namespace {

ir::Node node(const std::string& op, const std::string& domain = "") {
  ir::Node n;
  n.op_type = op;
  n.domain = domain;
  return n;
}

std::string rule_name(const ir::Node& n) {
  const QuantRule* r = find_rule(n);
  return r ? r->name : "none";
}

TEST(QuantRule, OneRulePerOpByNameOrTrait) {
  EXPECT_EQ(rule_name(node("Conv")), "conv");
  EXPECT_EQ(rule_name(node("Gemm")), "gemm");
  EXPECT_EQ(rule_name(node("Add")), "add");
  EXPECT_EQ(rule_name(node("GlobalAveragePool")), "global-average-pool");
  EXPECT_EQ(rule_name(node("MaxPool")), "data-movement");
  EXPECT_EQ(rule_name(node("Flatten")), "data-movement");
  EXPECT_EQ(rule_name(node("Sigmoid")), "lookup-table");
  EXPECT_EQ(rule_name(node("Clip")), "lookup-table");
  // Not a function of every real input (negative inputs), so no table.
  EXPECT_EQ(rule_name(node("Sqrt")), "none");
  // The integer ops are what rules lower to, never rule targets.
  EXPECT_EQ(rule_name(node("QConv", "ai.etch")), "none");
  EXPECT_EQ(rule_name(node("Conv", "ai.etch")), "none");
}

TEST(QuantRule, DataMovementNeedsOneOutput) {
  ir::Node pool = node("MaxPool");
  pool.outputs = {0};
  EXPECT_TRUE(is_data_movement(pool));
  pool.outputs = {0, 1};  // with Indices, the second output is not int8 data
  EXPECT_FALSE(is_data_movement(pool));
}

// x -> Conv -> AveragePool(ceil_mode = 1) -> Sigmoid: the pool's selector
// refuses it (QAveragePool has no ceil mode) and the plan says why; the
// Sigmoid's input is then float, so it is not quantized either.
TEST(QuantRule, PlanRecordsWhyASelectorRefused) {
  ir::Graph g;
  const ir::ValueId x = g.add_input("x", DType::F32, {1, 2, 5, 5});
  Tensor w(DType::F32, {2, 2, 1, 1});
  for (int64_t i = 0; i < w.numel(); ++i) w.data<float>()[i] = 0.25f * static_cast<float>(i + 1);
  const ir::ValueId wv = g.add_constant("w", w);
  const ir::ValueId c = g.add_value("c", DType::F32, {1, 2, 5, 5});
  g.add_node("Conv", {x, wv}, {c}, "conv");
  const ir::ValueId p = g.add_value("p", DType::F32, {1, 2, 3, 3});
  g.add_node("AveragePool", {c}, {p}, "pool",
             {{"kernel_shape", std::vector<int64_t>{2, 2}},
              {"strides", std::vector<int64_t>{2, 2}},
              {"ceil_mode", int64_t{1}}});
  const ir::ValueId s = g.add_value("s", DType::F32, {1, 2, 3, 3});
  g.add_node("Sigmoid", {p}, {s}, "sig");
  g.outputs = {s};

  const QuantPlan plan = plan_quantization(g, {});
  EXPECT_EQ(plan.values, (std::vector<ir::ValueId>{x, c}));
  ASSERT_EQ(plan.layers.size(), 1u);
  const ir::NodeId pool = g.value(p).producer;
  ASSERT_TRUE(plan.refused.count(pool));
  EXPECT_EQ(plan.refused.at(pool), "ceil_mode is set");
  EXPECT_FALSE(plan.contains(s));

  // Without ceil_mode the pool is a quantized group, and the Sigmoid after it
  // a table with the fixed [0, 1] parameters.
  g.find_node(pool)->attrs.erase("ceil_mode");
  const QuantPlan ok = plan_quantization(g, {});
  EXPECT_TRUE(ok.refused.empty());
  EXPECT_TRUE(ok.contains(p));
  ASSERT_TRUE(ok.fixed.count(s));
  EXPECT_FLOAT_EQ(ok.fixed.at(s).scales[0], 1.0f / 256.0f);
  EXPECT_EQ(ok.fixed.at(s).zero_points[0], -128);
}

// A lookup table is computed once: a Clip whose bound is computed at run time
// cannot be one.
TEST(QuantRule, TableNeedsConstantParameters) {
  ir::Graph g;
  const ir::ValueId x = g.add_input("x", DType::F32, {4});
  const ir::ValueId lo = g.add_input("lo", DType::F32, {});
  const ir::ValueId y = g.add_value("y", DType::F32, {4});
  g.add_node("Clip", {x, lo}, {y}, "clip");
  const QuantRule* r = find_rule(*g.find_node(g.value(y).producer));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->why_not(g, *g.find_node(g.value(y).producer), g.value(x)),
            "input 1 is computed at run time, not a constant");
}

}  // namespace
}  // namespace etch::quant
