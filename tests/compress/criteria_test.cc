// Taylor scores are |w · dL/dw| from real gradients: checked against central
// finite differences of the loss; magnitude channel scores fold BatchNorm in.
#include "etch/compress/criteria.h"

#include <gtest/gtest.h>

#include <cmath>

#include "etch/data/dataset.h"
#include "etch/ir/builder.h"
#include "etch/runtime/interpreter.h"
#include "etch/train/loss.h"

namespace etch::compress {
namespace {

TEST(TaylorScores, MatchFiniteDifferencesOfTheLoss) {
  data::Dataset d = data::load_dataset("fashion-mnist:test:32");
  // Smooth activations (no ReLU/max-pool kinks) so finite differences are exact enough.
  ir::GraphBuilder b("smooth", 2);
  ir::ValueId x = b.input("input", {-1, 1, 28, 28});
  x = b.op("Tanh", {b.conv(x, 6, 5, 2, 2, 1, true, "conv1")});
  x = b.op("Tanh", {b.conv(x, 8, 3, 2, 1, 1, true, "conv2")});
  x = b.op("Tanh", {b.gemm(b.flatten(x), 16, "fc1")});
  b.output(b.gemm(x, 10, "fc2"), "logits");
  ir::Graph g = b.finish();
  const auto layers = find_layers(g);
  ASSERT_EQ(layers.size(), 4u);
  // One batch holding the whole (32-image) set: the loader order does not matter.
  Scores s = taylor_scores(g, layers, d, 1, 32, 1);
  auto loss = [&]() {
    Tensor logits = runtime::Interpreter(g).run({d.images})[0];
    return train::softmax_cross_entropy(logits, d.labels).loss;
  };
  int checked = 0;
  for (size_t li = 0; li < layers.size(); ++li) {
    Tensor& w = *g.value(layers[li].weight).data;
    for (int64_t i : {int64_t{0}, w.numel() / 2, w.numel() - 1}) {
      const float w0 = w.data<float>()[i];
      const float h = 5e-2f * std::max(0.05f, std::fabs(w0));  // large enough to rise above f32 noise
      w.data<float>()[i] = w0 + h;
      const double up = loss();
      w.data<float>()[i] = w0 - h;
      const double down = loss();
      w.data<float>()[i] = w0;
      const double fd = std::fabs(w0 * (up - down) / (2.0 * h));
      const double got = s.element[li].data<float>()[i];
      EXPECT_NEAR(got, fd, 0.05 * fd + 1e-6) << layers[li].name << "[" << i << "]";
      ++checked;
    }
  }
  EXPECT_EQ(checked, 12);
}

TEST(MagnitudeScores, ChannelIsL1TimesTheBatchNormGain) {
  ir::GraphBuilder b("m", 1);
  ir::ValueId x = b.input("x", {1, 2, 4, 4});
  b.output(b.batchnorm(b.conv(x, 3, 1, 1, 0, 1, false, "c"), "c_bn"), "y");
  ir::Graph g = b.finish();
  const auto layers = find_layers(g);
  ASSERT_EQ(layers.size(), 1u);
  ASSERT_GE(layers[0].batchnorm, 0);
  Tensor& w = *g.value(layers[0].weight).data;  // [3, 2, 1, 1]
  const float wv[6] = {1, -2, 0.5f, 0.5f, -3, 0};
  std::copy(wv, wv + 6, w.data<float>());
  const ir::Node& bn = *g.find_node(layers[0].batchnorm);
  Tensor& gamma = *g.value(bn.inputs[1]).data;
  Tensor& var = *g.value(bn.inputs[4]).data;
  const float gv[3] = {1, -2, 0.5f}, vv[3] = {1, 4, 0.25f};
  std::copy(gv, gv + 3, gamma.data<float>());
  std::copy(vv, vv + 3, var.data<float>());
  const float eps = bn.attr_float("epsilon", 1e-5f);
  Scores s = magnitude_scores(g, layers);
  EXPECT_NEAR(s.channel[0][0], 3.0 * 1 / std::sqrt(1 + eps), 1e-6);
  EXPECT_NEAR(s.channel[0][1], 1.0 * 2 / std::sqrt(4 + eps), 1e-6);
  EXPECT_NEAR(s.channel[0][2], 3.0 * 0.5 / std::sqrt(0.25 + eps), 1e-5);
  EXPECT_FLOAT_EQ(s.element[0].data<float>()[1], 2.0f);
}

}  // namespace
}  // namespace etch::compress
