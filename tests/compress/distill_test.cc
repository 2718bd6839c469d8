// Distillation loss: value and gradient (finite differences), the alpha
// limits, the teacher/student size check, and the teacher-logit cache (same
// training as running the teacher on every batch; bypassed under augmentation).
#include "etch/compress/distill.h"

#include <gtest/gtest.h>

#include <cmath>

#include "etch/ir/builder.h"
#include "etch/runtime/interpreter.h"
#include "etch/train/loss.h"
#include "etch/train/zoo.h"

namespace etch::compress {
namespace {

Tensor logits(uint64_t seed) {
  Tensor t(DType::F32, {3, 5});
  ir::Rng rng(seed);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = rng.uniform(-3.0f, 3.0f);
  return t;
}

TEST(DistillLoss, IsTheWeightedSumAndItsGradientMatchesFiniteDifferences) {
  Tensor s = logits(1), t = logits(2);
  Tensor y = Tensor::from_vector<int64_t>({3}, {0, 4, 2});
  DistillOptions o;
  o.temperature = 3.0f;
  o.alpha = 0.7f;
  train::LossResult r = distill_loss(s, t, y, o);
  // Independent value: T² KL(p_t || p_s) by hand plus CE.
  double kl = 0, ce = 0;
  for (int i = 0; i < 3; ++i) {
    double zs = 0, zt = 0, z1 = 0;
    for (int j = 0; j < 5; ++j) {
      zs += std::exp(s.data<float>()[i * 5 + j] / 3.0);
      zt += std::exp(t.data<float>()[i * 5 + j] / 3.0);
      z1 += std::exp(static_cast<double>(s.data<float>()[i * 5 + j]));
    }
    for (int j = 0; j < 5; ++j) {
      const double pt = std::exp(t.data<float>()[i * 5 + j] / 3.0) / zt;
      const double ps = std::exp(s.data<float>()[i * 5 + j] / 3.0) / zs;
      kl += pt * std::log(pt / ps);
    }
    ce -= std::log(std::exp(static_cast<double>(s.data<float>()[i * 5 + y.data<int64_t>()[i]])) / z1);
  }
  EXPECT_NEAR(r.loss, 0.7 * 9.0 * kl / 3 + 0.3 * ce / 3, 1e-5);
  for (int64_t k = 0; k < s.numel(); ++k) {
    const float v = s.data<float>()[k], h = 1e-2f;
    s.data<float>()[k] = v + h;
    const double up = distill_loss(s, t, y, o).loss;
    s.data<float>()[k] = v - h;
    const double down = distill_loss(s, t, y, o).loss;
    s.data<float>()[k] = v;
    EXPECT_NEAR(r.grad.data<float>()[k], (up - down) / (2 * h), 1e-4) << k;
  }
}

TEST(DistillLoss, AlphaZeroIsCrossEntropy) {
  Tensor s = logits(3), t = logits(4);
  Tensor y = Tensor::from_vector<int64_t>({3}, {1, 1, 3});
  DistillOptions o;
  o.alpha = 0.0f;
  EXPECT_NEAR(distill_loss(s, t, y, o).loss, train::softmax_cross_entropy(s, y).loss, 1e-9);
}

TEST(Distill, TeacherAndStudentOutputSizesMustMatch) {
  data::Dataset d = data::load_dataset("fashion-mnist:test:4");
  ir::Graph teacher = train::build_zoo_model("mlp");
  train::ZooSpec five;
  five.classes = 5;
  ir::Graph student = train::build_zoo_model("mlp", five);
  DistillOptions o;
  o.teacher_name = "'t.onnx'";
  o.student_name = "'s.onnx'";
  try {
    check_distill(teacher, student, d, o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    const std::string m = e.what();
    EXPECT_NE(m.find("'t.onnx'"), std::string::npos) << m;
    EXPECT_NE(m.find("'s.onnx'"), std::string::npos) << m;
    EXPECT_NE(m.find("[1,10]"), std::string::npos) << m;
  }
  o.temperature = 0;
  EXPECT_THROW(check_distill(teacher, teacher, d, o), Error);
}

TEST(Distill, PureDistillationMovesTheStudentTowardsTheTeacher) {
  data::Dataset train = data::load_dataset("fashion-mnist:train:512");
  data::Dataset test = data::load_dataset("fashion-mnist:test:200");
  ir::Graph teacher = train::build_zoo_model("mlp", {}, 1);
  ir::Graph student = train::build_zoo_model("mlp", {}, 2);
  auto gap = [&] {
    const Tensor t = runtime::Interpreter(teacher).run({test.images})[0];
    const Tensor s = runtime::Interpreter(student).run({test.images})[0];
    return train::distillation_kl(s, t, 2.0f).loss;
  };
  const double before = gap();
  train::TrainConfig c;
  c.epochs = 1;
  c.batch_size = 32;
  c.max_steps_per_epoch = 16;
  c.progress = false;
  DistillOptions o;
  o.alpha = 1.0f;
  o.temperature = 2.0f;
  train::TrainResult r = distill(student, teacher, train, &test, o, c);
  ASSERT_EQ(r.epochs.size(), 1u);
  EXPECT_LT(gap(), 0.5 * before);
}

// Trains an mlp student from an mlp teacher for two epochs on 250 images
// (batch 32, drop_last: 26 different images left out each epoch, so epoch 2
// mixes cached and new rows) and returns the student's logits on test images.
struct TwoEpochs {
  std::vector<double> losses;
  Tensor out;
};
TwoEpochs two_epochs(bool cache, int64_t crop_padding) {
  data::Dataset train = data::load_dataset("fashion-mnist:train:250");
  data::Dataset test = data::load_dataset("fashion-mnist:test:64");
  ir::Graph teacher = train::build_zoo_model("mlp", {}, 1);
  ir::Graph student = train::build_zoo_model("mlp", {}, 2);
  train::TrainConfig c;
  c.epochs = 2;
  c.batch_size = 32;
  c.progress = false;
  c.augment.crop_padding = crop_padding;
  DistillOptions o;
  o.alpha = 0.8f;
  o.temperature = 3.0f;
  o.cache_teacher_logits = cache;
  train::TrainResult r = distill(student, teacher, train, nullptr, o, c);
  TwoEpochs t;
  for (const auto& e : r.epochs) t.losses.push_back(e.train_loss);
  t.out = runtime::Interpreter(student).run({test.images})[0];
  return t;
}

TEST(Distill, CachedTeacherLogitsTrainLikeRunningTheTeacherEveryBatch) {
  const TwoEpochs a = two_epochs(true, 0), b = two_epochs(false, 0);
  ASSERT_EQ(a.losses.size(), 2u);
  ASSERT_EQ(b.losses.size(), 2u);
  // Epoch 2 reads the cache in a new order: a row mix-up would show here.
  for (size_t e = 0; e < 2; ++e) EXPECT_NEAR(a.losses[e], b.losses[e], 1e-5 * std::abs(b.losses[e])) << e;
  ASSERT_EQ(a.out.numel(), b.out.numel());
  for (int64_t i = 0; i < a.out.numel(); ++i) EXPECT_NEAR(a.out.data<float>()[i], b.out.data<float>()[i], 1e-4) << i;
}

TEST(Distill, RandomAugmentationBypassesTheCache) {
  // Each epoch crops differently, so reused epoch-1 teacher logits would
  // change epoch 2; with the cache bypassed both runs are bit-identical.
  const TwoEpochs a = two_epochs(true, 2), b = two_epochs(false, 2);
  ASSERT_EQ(a.losses.size(), 2u);
  EXPECT_EQ(a.losses[1], b.losses[1]);
  for (int64_t i = 0; i < a.out.numel(); ++i) ASSERT_EQ(a.out.data<float>()[i], b.out.data<float>()[i]) << i;
}

}  // namespace
}  // namespace etch::compress
