// The constant-operand rule: an element-wise op whose other operands are one
// constant value each (TensorFlow's tf.math.maximum(x, c) after a LeakyRelu,
// a Div by a constant) runs on int8 as a lookup table; after an activation's
// table the two compose into one (passes/compose_lookup_tables.h). A constant
// of several values cannot be a table and stays float, with the reason.
#include <gtest/gtest.h>

#include "etch/ir/builder.h"
#include "etch/quant/lower_qdq.h"
#include "etch/quant/ptq.h"
#include "etch/quant/ptq_plan.h"
#include "quant/quant_test_models.h"

namespace etch::quant {
namespace {

using testing::blobs;
using testing::count_ops;
using testing::max_abs;
using testing::max_abs_diff;
using testing::output_scale;
using testing::run;
using testing::small_options;

// conv -> LeakyRelu -> Max(., floor) -> conv -> Div(., 6) -> fc.
ir::Graph floored_net(const Tensor& floor) {
  ir::GraphBuilder b("floored", 11);
  auto x = b.input("input", {-1, 1, 8, 8});
  auto y = b.op("LeakyRelu", {b.conv(x, 4, 3, 1, 1, 1, true, "c1")}, {{"alpha", 0.2f}}, "leaky");
  y = b.op("Max", {y, b.constant("floor", floor)}, {}, "max");
  y = b.op("Div", {b.conv(y, 4, 3, 1, 1, 1, true, "c2"), b.constant("six", Tensor::scalar<float>(6.0f))}, {}, "div");
  b.output(b.gemm(b.flatten(y), 3, "fc"), "logits");
  return b.finish();
}

TEST(ConstantOperandRule, MaxAndDivByAConstantRunOnInt8AsTables) {
  const ir::Graph f = floored_net(Tensor::scalar<float>(-0.05f));
  const data::Dataset d = blobs(64);
  const ir::Graph q = quantize_ptq(f, d, small_options());
  const ir::Graph i = lower_qdq(q);
  EXPECT_EQ(count_ops(i, "Max") + count_ops(i, "Div") + count_ops(i, "LeakyRelu"), 0);
  // LeakyRelu's and Max's tables composed; Div's follows a QConv.
  EXPECT_EQ(count_ops(i, "QLut"), 2);
  const ir::Node* max = i.find_node_by_name("max");
  ASSERT_NE(max, nullptr);
  EXPECT_EQ(max->attr_string("function", ""), "LeakyRelu,Max");
  EXPECT_EQ(count_ops(i, "DequantizeLinear"), 1) << "only the output is dequantized";
  const Tensor xin = data::slice_images(d, 0, 16);
  const Tensor yf = run(f, xin), yq = run(q, xin), yi = run(i, xin);
  EXPECT_LT(max_abs_diff(yq, yi), 2.0f * output_scale(q) + 1e-6f);
  EXPECT_LT(max_abs_diff(yf, yi), 0.1f * max_abs(yf) + 1e-3f);
}

TEST(ConstantOperandRule, AConstantOfSeveralValuesStaysFloatWithTheReason) {
  Tensor floor(DType::F32, {1, 4, 1, 1});
  for (int c = 0; c < 4; ++c) floor.data<float>()[c] = -0.01f * static_cast<float>(c);
  const ir::Graph f = floored_net(floor);
  const QuantPlan plan = plan_quantization(f, {});
  const ir::Node* max = f.find_node_by_name("max");
  ASSERT_NE(max, nullptr);
  ASSERT_TRUE(plan.refused.count(max->id));
  EXPECT_NE(plan.refused.at(max->id).find("constant of 4 values"), std::string::npos) << plan.refused.at(max->id);
  const ir::Graph i = lower_qdq(quantize_ptq(f, blobs(64), small_options()));
  EXPECT_EQ(count_ops(i, "Max"), 1);
}

}  // namespace
}  // namespace etch::quant
