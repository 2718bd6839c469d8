#include "etch/train/loss.h"

#include <gtest/gtest.h>

#include <cmath>

namespace etch::train {
namespace {

TEST(Loss, CrossEntropyOfUniformLogitsIsLogC) {
  Tensor logits(DType::F32, {2, 4});
  Tensor labels = Tensor::from_vector<int64_t>({2}, {1, 3});
  LossResult r = softmax_cross_entropy(logits, labels);
  EXPECT_NEAR(r.loss, std::log(4.0), 1e-6);
  // softmax = 1/4 everywhere; grad = (p - onehot) / B
  EXPECT_NEAR(r.grad.data<float>()[0], 0.25 / 2, 1e-7);
  EXPECT_NEAR(r.grad.data<float>()[1], (0.25 - 1) / 2, 1e-7);
}

TEST(Loss, LabelSmoothingTargetsSpreadEpsOverClasses) {
  Tensor logits = Tensor::from_vector<float>({1, 2}, {0.0f, 0.0f});
  Tensor labels = Tensor::from_vector<int64_t>({1}, {0});
  LossResult r = softmax_cross_entropy(logits, labels, 0.2f);
  // targets: 0.9, 0.1; p = 0.5, 0.5 → grad = 0.5 - target
  EXPECT_NEAR(r.grad.data<float>()[0], -0.4, 1e-6);
  EXPECT_NEAR(r.grad.data<float>()[1], 0.4, 1e-6);
  EXPECT_NEAR(r.loss, std::log(2.0), 1e-6);
}

TEST(Loss, CrossEntropyLabelOutOfRangeNamesIndex) {
  Tensor logits(DType::F32, {2, 3});
  Tensor labels = Tensor::from_vector<int64_t>({2}, {0, 3});
  try {
    softmax_cross_entropy(logits, labels);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("batch index 1"), std::string::npos) << e.what();
  }
}

TEST(Loss, KlOfIdenticalLogitsIsZeroAndGradientMatchesFiniteDifference) {
  Tensor s = Tensor::from_vector<float>({1, 3}, {0.5f, -1.0f, 2.0f});
  Tensor t = Tensor::from_vector<float>({1, 3}, {1.0f, 0.0f, 0.5f});
  EXPECT_NEAR(distillation_kl(s, s, 4.0f).loss, 0.0, 1e-9);
  LossResult r = distillation_kl(s, t, 4.0f);
  for (int j = 0; j < 3; ++j) {
    Tensor sp = s.clone(), sm = s.clone();
    sp.data<float>()[j] += 1e-2f;
    sm.data<float>()[j] -= 1e-2f;
    double num = (distillation_kl(sp, t, 4.0f).loss - distillation_kl(sm, t, 4.0f).loss) / 2e-2;
    EXPECT_NEAR(r.grad.data<float>()[j], num, 1e-4) << j;
  }
}

TEST(Loss, MseAndGradient) {
  Tensor a = Tensor::from_vector<float>({2}, {1.0f, 3.0f});
  Tensor b = Tensor::from_vector<float>({2}, {0.0f, 1.0f});
  LossResult r = mse(a, b);
  EXPECT_NEAR(r.loss, (1 + 4) / 2.0, 1e-9);
  EXPECT_NEAR(r.grad.data<float>()[1], 2 * 2 / 2.0, 1e-6);
}

}  // namespace
}  // namespace etch::train
