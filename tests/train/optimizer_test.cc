// Expected values are PyTorch's update formulas worked by hand for one scalar.
#include "etch/train/optimizer.h"

#include <gtest/gtest.h>

#include <cmath>

namespace etch::train {
namespace {

std::vector<Param> one_param(float w, float g) {
  Param p{0, "w", Tensor::from_vector<float>({1, 1}, {w}), Tensor::from_vector<float>({1, 1}, {g})};
  return {p};
}

TEST(Optimizer, SgdMomentumNesterov) {
  OptimizerConfig c;
  c.kind = "sgd";
  c.momentum = 0.9f;
  c.nesterov = true;
  Optimizer opt(c);
  auto ps = one_param(1.0f, 0.5f);
  opt.step(ps, 0.1f);  // buf = 0.5; g' = 0.5 + 0.9*0.5 = 0.95; w = 1 - 0.095
  EXPECT_NEAR(ps[0].data.data<float>()[0], 0.905f, 1e-6);
  opt.step(ps, 0.1f);  // buf = 0.9*0.5 + 0.5 = 0.95; g' = 0.5 + 0.855 = 1.355; w = 0.905 - 0.1355
  EXPECT_NEAR(ps[0].data.data<float>()[0], 0.7695f, 1e-6);
}

TEST(Optimizer, AdamFirstStepMovesByLr) {
  OptimizerConfig c;
  c.kind = "adam";
  Optimizer opt(c);
  auto ps = one_param(1.0f, 3.0f);
  // m̂ = g, v̂ = g², step = lr · g / (|g| + eps) ≈ lr
  opt.step(ps, 0.01f);
  EXPECT_NEAR(ps[0].data.data<float>()[0], 0.99f, 1e-6);
}

TEST(Optimizer, AdamwDecouplesWeightDecay) {
  OptimizerConfig c;
  c.kind = "adamw";
  c.weight_decay = 0.5f;
  Optimizer opt(c);
  auto ps = one_param(2.0f, 1.0f);
  // w = 2 - 0.1·0.5·2 = 1.9, then Adam step of ≈ lr: 1.8
  opt.step(ps, 0.1f);
  EXPECT_NEAR(ps[0].data.data<float>()[0], 1.8f, 1e-5);
}

TEST(Optimizer, ClipsByGlobalNorm) {
  OptimizerConfig c;
  c.kind = "sgd";
  c.momentum = 0;
  c.clip_norm = 1.0f;
  Optimizer opt(c);
  auto ps = one_param(0.0f, 10.0f);
  double norm = opt.step(ps, 1.0f);
  EXPECT_NEAR(norm, 10.0, 1e-9);
  EXPECT_NEAR(ps[0].data.data<float>()[0], -1.0f, 1e-5);
}

TEST(LrSchedule, WarmupThenCosineToZero) {
  LrSchedule s;
  s.kind = "cosine";
  s.warmup_steps = 10;
  EXPECT_NEAR(s.at(1.0f, 0, 110), 0.1f, 1e-7);
  EXPECT_NEAR(s.at(1.0f, 9, 110), 1.0f, 1e-7);
  EXPECT_NEAR(s.at(1.0f, 10, 110), 1.0f, 1e-6);
  EXPECT_NEAR(s.at(1.0f, 60, 110), 0.5f, 1e-6);
  EXPECT_NEAR(s.at(1.0f, 110, 110), 0.0f, 1e-6);
  LrSchedule st;
  st.kind = "step";
  st.step_size = 5;
  st.gamma = 0.5f;
  EXPECT_NEAR(st.at(1.0f, 12, 100), 0.25f, 1e-7);
}

TEST(Optimizer, UnknownKindIsInvalidInput) {
  OptimizerConfig c;
  c.kind = "rmsprop";
  EXPECT_THROW(Optimizer{c}, Error);
}

}  // namespace
}  // namespace etch::train
