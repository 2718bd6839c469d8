// The mul rule: PTQ plans a Mul of two float activations (squeeze-and-
// excitation's per-channel scale broadcast over H, W, and a same-shape
// product), lowering turns each QDQ group into QMul, and the integer graph
// agrees with the QDQ graph through the interpreter.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "etch/quant/lower_qdq.h"
#include "etch/quant/ptq.h"
#include "etch/quant/ptq_plan.h"
#include "quant/quant_test_models.h"

namespace etch::quant {
namespace {

using testing::blobs;
using testing::count_ops;
using testing::max_abs_diff;
using testing::output_scale;
using testing::run;
using testing::small_options;

// conv-relu → y [N, 4, 8, 8]; s = sigmoid(conv1x1(relu(conv1x1(GAP(y))))) [N, 4, 1, 1];
// output y * s (squeeze-and-excitation).
ir::Graph se_net() {
  ir::GraphBuilder b("se", 11);
  auto x = b.input("input", {-1, 1, 8, 8});
  auto y = b.relu(b.conv(x, 4, 3, 1, 1, 1, true, "conv"));
  auto s = b.relu(b.conv(b.global_avgpool(y), 2, 1, 1, 0, 1, true, "squeeze"));
  s = b.op("Sigmoid", {b.conv(s, 4, 1, 1, 0, 1, true, "excite")});
  b.output(b.op("Mul", {y, s}), "scaled");
  return b.finish();
}

// Two convs of the same input multiplied element by element.
ir::Graph product_net() {
  ir::GraphBuilder b("product", 5);
  auto x = b.input("input", {-1, 1, 8, 8});
  auto u = b.conv(x, 3, 3, 1, 1, 1, true, "u");
  auto v = b.conv(x, 3, 1, 1, 0, 1, true, "v");
  b.output(b.op("Mul", {u, v}), "product");
  return b.finish();
}

void expect_qmul_agrees_with_qdq(const ir::Graph& f) {
  const data::Dataset d = blobs(64);
  const ir::Graph q = quantize_ptq(f, d, small_options());
  EXPECT_EQ(count_ops(q, "Mul"), 1) << "the Mul is the core of a QDQ group";
  const ir::Graph i = lower_qdq(q);
  EXPECT_EQ(count_ops(i, "QMul"), 1);
  EXPECT_EQ(count_ops(i, "Mul"), 0);
  const ir::Node* mul = nullptr;
  for (const auto& n : i.nodes())
    if (n.op_type == "QMul") mul = &n;
  ASSERT_NE(mul, nullptr);
  const Tensor x = data::slice_images(d, 0, 32);

  // The op itself: on the int8 inputs the integer graph gives it, QMul equals
  // what the QDQ group computes (dequantize, multiply in float, quantize with
  // ties to even) up to one step where the roundings differ.
  runtime::Interpreter ri(i);
  ri.keep_values({mul->inputs[0], mul->inputs[1], mul->outputs[0]});
  ri.run({x});
  const Tensor &a = ri.kept().at(mul->inputs[0]), &b = ri.kept().at(mul->inputs[1]), &y = ri.kept().at(mul->outputs[0]);
  const float sa = mul->attr_float("a_scale", 0), sb = mul->attr_float("b_scale", 0),
              sy = mul->attr_float("y_scale", 0);
  const int64_t za = mul->attr_int("a_zero_point", 0), zb = mul->attr_int("b_zero_point", 0),
                zy = mul->attr_int("y_zero_point", 0);
  const Shape ys = y.shape(), bs = b.shape();
  EXPECT_EQ(a.shape(), ys);
  int64_t exact = 0, nonzero = 0;
  for (int64_t k = 0; k < y.numel(); ++k) {
    // b is [N, C, 1, 1] or y's shape: its index drops the spatial position.
    const int64_t hw = ys[2] * ys[3], kb = bs == ys ? k : k / hw;
    const float real =
        sa * static_cast<float>(a.data<int8_t>()[k] - za) * sb * static_cast<float>(b.data<int8_t>()[kb] - zb);
    const float want = std::clamp(std::nearbyint(real / sy) + static_cast<float>(zy), -128.0f, 127.0f);
    const float got = y.data<int8_t>()[k];
    ASSERT_LE(std::fabs(got - want), 1.0f) << "element " << k;
    exact += got == want;
    nonzero += got != static_cast<float>(zy);
  }
  // The fixed point rounds twice (the doubling high multiply, then the shift),
  // as TFLite does: it differs from one float rounding only for values within
  // about 2^-(1 - shift) of a half, a few percent at most.
  EXPECT_GE(exact, y.numel() * 95 / 100);
  EXPECT_GT(nonzero, y.numel() / 2) << "a non-trivial output";

  // End to end, the upstream layers' own roundings (one step each) propagate
  // through the product: a few output steps, as for the other integer ops.
  const float out_scale = output_scale(i);
  ASSERT_GT(out_scale, 0.0f);
  EXPECT_LE(max_abs_diff(run(q, x), run(i, x)), 3 * out_scale + 1e-6f);
}

TEST(MulRule, SqueezeAndExcitationScaleBecomesQMul) { expect_qmul_agrees_with_qdq(se_net()); }

TEST(MulRule, SameShapeProductBecomesQMul) { expect_qmul_agrees_with_qdq(product_net()); }

TEST(MulRule, MulByAConstantIsNotPlanned) {
  ir::GraphBuilder b("scale", 3);
  auto x = b.input("input", {-1, 1, 8, 8});
  auto y = b.conv(x, 2, 3, 1, 1, 1, true, "conv");
  b.output(b.op("Mul", {y, b.constant("k", Tensor::scalar<float>(0.5f))}), "out");
  const ir::Graph f = b.finish();
  const QuantPlan plan = plan_quantization(f, {});
  for (const auto& n : f.nodes())
    if (n.op_type == "Mul") {
      EXPECT_EQ(std::count(plan.values.begin(), plan.values.end(), n.outputs[0]), 0) << "its output stays float";
    }
  const ir::Graph i = lower_qdq(quantize_ptq(f, blobs(32), small_options()));
  EXPECT_EQ(count_ops(i, "QMul"), 0);
  EXPECT_EQ(count_ops(i, "Mul"), 1) << "runs in float";
}

}  // namespace
}  // namespace etch::quant
