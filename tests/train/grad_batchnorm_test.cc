// BatchNormalization: finite-difference checks (criterion: see grad_check.h)
// in training mode (batch statistics) and inference mode (running statistics
// as constants), and the running-statistics update against hand-computed values.
#include "grad_check.h"

namespace etch::gradtest {
namespace {

GradCase bn(bool training, Shape x) {
  GradCase c;
  c.op = "BatchNormalization";
  const int64_t ch = x[1];
  c.operands = {input(random_tensor(x, 1, -2.0f, 2.0f)), param(random_tensor({ch}, 2, 0.5f, 1.5f)),
                param(random_tensor({ch}, 3)), constant(random_tensor({ch}, 4)),
                constant(random_tensor({ch}, 5, 0.5f, 1.5f))};
  c.attrs = {{"epsilon", 1e-3f}, {"momentum", 0.8f}};
  c.training = training;
  c.eps = 1e-2;
  return c;
}

TEST(GradBatchNorm, TrainingMode4D) { check_gradients(bn(true, {3, 2, 3, 3})); }
TEST(GradBatchNorm, TrainingMode2D) { check_gradients(bn(true, {6, 3})); }
TEST(GradBatchNorm, InferenceMode) { check_gradients(bn(false, {2, 3, 2, 2})); }
// Rows longer than the kernel's 512-element summation block, with a tail that
// is not a multiple of its eight lanes.
TEST(GradBatchNorm, TrainingModeLongRows) { check_gradients(bn(true, {2, 1, 531})); }

// Batch statistics of long rows far from zero (where a float running sum
// loses digits) against a double-precision reference.
TEST(GradBatchNorm, TrainingForwardLongRowsMatchesDoubleReference) {
  const Shape shape{3, 2, 1037};
  GradCase c = bn(true, shape);
  float* x = c.operands[0].value.data<float>();
  for (int64_t i = 0; i < c.operands[0].value.numel(); ++i) x[i] = 1000.0f + 3.0f * x[i];
  ir::Graph g = one_node_graph(c);
  train::Autodiff ad(g);
  const Tensor y = ad.forward({c.operands[0].value}, true).at(0);
  const float* scale = c.operands[1].value.data<float>();
  const float* bias = c.operands[2].value.data<float>();
  const int64_t N = shape[0], C = shape[1], S = shape[2];
  for (int64_t ch = 0; ch < C; ++ch) {
    double sum = 0, sq = 0;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t s = 0; s < S; ++s) sum += x[(n * C + ch) * S + s];
    const double mean = sum / static_cast<double>(N * S);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t s = 0; s < S; ++s) sq += std::pow(x[(n * C + ch) * S + s] - mean, 2);
    const double invstd = 1.0 / std::sqrt(sq / static_cast<double>(N * S) + 1e-3);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t s = 0; s < S; s += 97) {
        const int64_t i = (n * C + ch) * S + s;
        EXPECT_NEAR(y.data<float>()[i], (x[i] - mean) * invstd * scale[ch] + bias[ch], 2e-4) << "channel " << ch;
      }
  }
}

// x for one channel over N=2, S=2: {1, 3, 5, 7}: mean 4, biased var 5,
// unbiased var 20/3. running = running * 0.8 + batch * 0.2.
TEST(GradBatchNorm, RunningStatisticsUpdate) {
  ir::Graph g;
  const auto x = g.add_input("x", DType::F32, {2, 1, 2});
  const auto s = g.add_constant("scale", Tensor::from_vector<float>({1}, {2.0f}));
  const auto b = g.add_constant("bias", Tensor::from_vector<float>({1}, {0.5f}));
  const auto m = g.add_constant("mean", Tensor::from_vector<float>({1}, {1.0f}));
  const auto v = g.add_constant("var", Tensor::from_vector<float>({1}, {2.0f}));
  const auto y = g.add_value("y", DType::F32, {}, false);
  g.add_node("BatchNormalization", {x, s, b, m, v}, {y}, "bn", {{"epsilon", 0.0f}, {"momentum", 0.8f}});
  g.outputs = {y};
  train::Autodiff ad(g);
  Tensor out = ad.forward({Tensor::from_vector<float>({2, 1, 2}, {1, 3, 5, 7})}, true).at(0);
  EXPECT_NEAR(g.value(m).data->data<float>()[0], 1.0f * 0.8f + 4.0f * 0.2f, 1e-6);
  EXPECT_NEAR(g.value(v).data->data<float>()[0], 2.0f * 0.8f + (20.0f / 3.0f) * 0.2f, 1e-5);
  // Normalised with the batch (biased) variance: (1 - 4) / sqrt(5) * 2 + 0.5.
  EXPECT_NEAR(out.data<float>()[0], -3.0f / std::sqrt(5.0f) * 2.0f + 0.5f, 1e-5);
  // Inference forward uses (and leaves) the running statistics.
  const float rm = g.value(m).data->data<float>()[0], rv = g.value(v).data->data<float>()[0];
  Tensor inf = ad.forward({Tensor::from_vector<float>({2, 1, 2}, {1, 3, 5, 7})}, false).at(0);
  EXPECT_NEAR(inf.data<float>()[0], (1.0f - rm) / std::sqrt(rv) * 2.0f + 0.5f, 1e-5);
  EXPECT_EQ(g.value(m).data->data<float>()[0], rm);
}

}  // namespace
}  // namespace etch::gradtest
