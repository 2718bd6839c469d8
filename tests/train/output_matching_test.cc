// Fine-tuning without labels: a student whose weights were disturbed learns
// back its teacher's outputs (all of them, whatever the batch the model fixes).
#include "etch/train/output_matching.h"

#include <gtest/gtest.h>

#include "etch/data/dataset.h"
#include "etch/ir/builder.h"
#include "etch/train/zoo.h"
#include "expect_error.h"

namespace etch::train {
namespace {

TrainConfig matching_config(int64_t batch, int64_t steps, float lr) {
  TrainConfig c;
  c.epochs = 1;
  c.batch_size = batch;
  c.max_steps_per_epoch = steps;
  c.optimizer.kind = "adam";
  c.optimizer.lr = lr;
  c.optimizer.weight_decay = 0;
  c.schedule.kind = "constant";
  c.progress = false;
  return c;
}

// Every float constant scaled by (1 + 0.3 u), u uniform in [-1, 1).
void disturb(ir::Graph& g, uint64_t seed) {
  ir::Rng rng(seed);
  for (int v = 0; v < g.num_values(); ++v) {
    auto& val = g.value(v);
    if (!val.data || val.data->dtype() != DType::F32) continue;
    float* p = val.data->data<float>();
    for (int64_t i = 0; i < val.data->numel(); ++i) p[i] *= 1.0f + 0.3f * rng.uniform(-1.0f, 1.0f);
  }
}

std::vector<float> constants_of(const ir::Graph& g) {
  std::vector<float> out;
  for (int v = 0; v < g.num_values(); ++v)
    if (g.value(v).data && g.value(v).data->dtype() == DType::F32) {
      const auto f = g.value(v).data->to_float_vector();
      out.insert(out.end(), f.begin(), f.end());
    }
  return out;
}

// Fashion-MNIST images with the labels dropped: data as a detector's would be.
data::Dataset unlabelled(const std::string& spec) {
  data::Dataset d = data::load_dataset(spec);
  d.labels = Tensor();
  return d;
}

TEST(OutputMatching, DeepCopyOwnsItsConstants) {
  const ir::Graph g = build_zoo_model("mlp", {}, 3);
  ir::Graph c = deep_copy(g);
  const std::vector<float> before = constants_of(g);
  disturb(c, 9);
  EXPECT_EQ(constants_of(g), before);
  EXPECT_NE(constants_of(c), before);
}

TEST(OutputMatching, DisturbedStudentLearnsTheTeachersOutputsWithoutLabels) {
  const ir::Graph teacher = build_zoo_model("mlp", {}, 3);
  ir::Graph student = deep_copy(teacher);
  disturb(student, 5);
  const data::Dataset train = unlabelled("fashion-mnist:train:512");
  const data::Dataset eval = unlabelled("fashion-mnist:test:128");
  const double before = output_sqnr_db(student, teacher, eval);
  const TrainResult r = fit_outputs(student, teacher, train, &eval, matching_config(64, 8, 1e-4f));
  ASSERT_EQ(r.epochs.size(), 1u);
  ASSERT_TRUE(r.epochs[0].eval_sqnr_db.has_value());
  const double after = output_sqnr_db(student, teacher, eval);
  EXPECT_DOUBLE_EQ(*r.epochs[0].eval_sqnr_db, after);
  EXPECT_GT(after, before + 3.0) << "8 steps of output matching: " << before << " dB -> " << after << " dB";
  EXPECT_GT(r.epochs[0].images_per_sec, 0.0);
}

// A model with a fixed batch of 1 and two outputs of different scales: each
// step runs its samples one by one and both outputs pull the weights back.
ir::Graph two_headed(uint64_t seed) {
  ir::GraphBuilder b("two_heads", seed);
  const ir::ValueId x = b.input("x", {1, 6});
  const ir::ValueId h = b.relu(b.gemm(x, 8, "body"));
  b.output(b.gemm(h, 3, "small"), "small");
  const ir::ValueId big = b.gemm(h, 2, "big");
  b.output(b.op("Mul", {big, b.constant("scale", Tensor::scalar<float>(50.0f))}), "big");
  return b.finish();
}

data::Dataset random_rows(int64_t n, uint64_t seed) {
  ir::Rng rng(seed);
  Tensor t(DType::F32, {n, 6});
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = rng.uniform(-1.0f, 1.0f);
  data::Dataset d;
  d.name = "random rows";
  d.inputs.push_back({"x", t});
  d.images = t;
  return d;
}

TEST(OutputMatching, FixedBatchOfOneAndTwoOutputsTrainDeterministically) {
  const ir::Graph teacher = two_headed(1);
  const data::Dataset d = random_rows(64, 2);
  auto run = [&] {
    ir::Graph s = deep_copy(teacher);
    disturb(s, 3);
    const double before = output_sqnr_db(s, teacher, d);
    const TrainResult r = fit_outputs(s, teacher, d, nullptr, matching_config(16, 4, 1e-2f));
    return std::make_tuple(constants_of(s), before, *r.best_sqnr_db);
  };
  const auto [w1, before, after] = run();
  const auto [w2, before2, after2] = run();
  EXPECT_EQ(w1, w2) << "same seed: bit-identical weights";
  EXPECT_GT(after, before + 1.0) << before << " dB -> " << after << " dB";
}

TEST(OutputMatching, OutputsOfOtherShapesAreRefused) {
  const ir::Graph teacher = two_headed(1);
  ir::GraphBuilder b("other", 4);
  const ir::ValueId x = b.input("x", {1, 6});
  b.output(b.gemm(x, 5, "small"), "small");
  b.output(b.gemm(x, 2, "big"), "big");
  ir::Graph student = b.finish();
  testing::expect_error(
      [&] { fit_outputs(student, teacher, random_rows(8, 2), nullptr, matching_config(4, 1, 1e-3f)); },
      "output 0 ('small')");
}

}  // namespace
}  // namespace etch::train
