// End-to-end training on real Fashion-MNIST subsets (small, so the suite stays fast).
#include "etch/train/trainer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "etch/core/thread_pool.h"
#include "etch/data/dataset.h"
#include "etch/ir/builder.h"
#include "etch/onnx/importer.h"
#include "etch/train/zoo.h"

namespace etch::train {
namespace {

TrainConfig quick(int steps) {
  TrainConfig c;
  c.epochs = 1;
  c.batch_size = 32;
  c.max_steps_per_epoch = steps;
  c.optimizer.lr = 2e-3f;
  c.progress = false;
  return c;
}

std::vector<float> all_params(const ir::Graph& g) {
  std::vector<float> out;
  for (int v = 0; v < g.num_values(); ++v)
    if (g.value(v).data && g.value(v).dtype == DType::F32) {
      auto f = g.value(v).data->to_float_vector();
      out.insert(out.end(), f.begin(), f.end());
    }
  return out;
}

TEST(Trainer, MlpLearnsAndIsDeterministicForASeed) {
  data::Dataset train = data::load_dataset("fashion-mnist:train:2048");
  data::Dataset test = data::load_dataset("fashion-mnist:test:500");
  auto run = [&] {
    ir::Graph g = build_zoo_model("mlp", {}, 3);
    TrainConfig c = quick(60);
    TrainResult r = fit(g, train, &test, c);
    return std::make_pair(all_params(g), r);
  };
  auto [w1, r1] = run();
  auto [w2, r2] = run();
  EXPECT_EQ(w1, w2) << "same seed and threads must give bit-identical weights";
  ASSERT_EQ(r1.epochs.size(), 1u);
  EXPECT_GT(r1.epochs[0].eval_acc, 0.6) << "60 steps of an MLP reach well above chance (10%)";
}

// Every zoo model (convolutions, BatchNorm, pooling, Dropout) trained for a
// step with 1 and with 2 threads ends with the same bytes (one step runs
// every forward and gradient rule; more would only cost time under ASan).
TEST(Trainer, ZooModelsTrainIdenticallyWithOneAndTwoThreads) {
  data::Dataset train = data::load_dataset("fashion-mnist:train:32");
  for (const auto& name : zoo_names()) {
    auto run = [&](int threads) {
      set_num_threads(threads);
      ir::Graph g = build_zoo_model(name, {}, 5);
      fit(g, train, nullptr, quick(1));
      return all_params(g);
    };
    const auto one = run(1), two = run(2);
    set_num_threads(0);
    EXPECT_EQ(one, two) << name;
  }
}

TEST(Trainer, ZooModelsBuildVerifyAndTakeOneStep) {
  data::Dataset train = data::load_dataset("fashion-mnist:train:64");
  for (const auto& name : zoo_names()) {
    ir::Graph g = build_zoo_model(name);
    const ir::Value& out = g.value(g.outputs[0]);
    ASSERT_EQ(out.shape.size(), 2u) << name;
    EXPECT_EQ(out.shape[1], 10) << name;
    auto before = all_params(g);
    TrainConfig c = quick(1);
    fit(g, train, nullptr, c);
    EXPECT_NE(before, all_params(g)) << name << ": one step changes the weights";
  }
}

TEST(Trainer, NormalisationConstantsAreNotTrained) {
  data::Dataset train = data::load_dataset("fashion-mnist:train:64");
  ir::Graph g = build_zoo_model("cnn");
  fit(g, train, nullptr, quick(2));
  auto mean = g.find_value("norm_mean");
  ASSERT_TRUE(mean.has_value());
  EXPECT_FLOAT_EQ(g.value(*mean).data->data<float>()[0], 0.2860f);
}

TEST(Trainer, FineTuningTheImportedFixtureChangesWeightsAndKeepsAccuracy) {
  ir::Graph g = onnx::import_model(ETCH_SOURCE_DIR "/fixtures/cnn.onnx");
  data::Dataset train = data::load_dataset("fashion-mnist:train:1024");
  data::Dataset test = data::load_dataset("fashion-mnist:test:1000");
  const double before = evaluate_accuracy(g, test);
  auto w0 = all_params(g);
  TrainConfig c = quick(20);
  c.optimizer.kind = "adam";
  c.optimizer.lr = 1e-4f;
  fit(g, train, nullptr, c);
  EXPECT_NE(w0, all_params(g));
  const double after = evaluate_accuracy(g, test);
  EXPECT_GT(before, 0.85);
  EXPECT_GT(after, before - 0.02) << "a few small steps must not wreck a trained model";
}

TEST(Trainer, NanLossStopsWithAClearMessageAfterTheLastGoodCheckpoint) {
  data::Dataset train = data::load_dataset("fashion-mnist:train:256");
  ir::Graph g = build_zoo_model("mlp");
  TrainConfig c = quick(8);
  c.epochs = 3;
  int best_calls = 0;
  c.on_best = [&](const ir::Graph&, const EpochStats&) { ++best_calls; };
  int step = 0;
  c.loss = [&](const Tensor& logits, const data::Batch& b) {
    LossResult r = softmax_cross_entropy(logits, b.labels);
    if (++step > 12) r.loss = std::nan("");  // diverges in epoch 2
    return r;
  };
  try {
    fit(g, train, nullptr, c);
    FAIL() << "expected the NaN loss to stop training";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    const std::string msg = e.what();
    EXPECT_NE(msg.find("epoch 2"), std::string::npos) << msg;
    EXPECT_NE(msg.find("checkpoint"), std::string::npos) << msg;
  }
  EXPECT_EQ(best_calls, 1) << "epoch 1's checkpoint was saved before the divergence";
}

TEST(Trainer, OpWithoutGradientRuleIsNamed) {
  ir::GraphBuilder b("t", 1);
  auto x = b.input("input", {-1, 1, 28, 28});
  auto y = b.op("Floor", {b.conv(x, 2, 3, 1, 1, 1, true, "conv")}, {}, "the_floor");
  b.output(b.gemm(b.flatten(y), 10, "fc"), "logits");
  ir::Graph g = b.finish();
  try {
    Autodiff ad(g);
    FAIL() << "expected an Unsupported error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
    EXPECT_NE(std::string(e.what()).find("'the_floor' (Floor)"), std::string::npos) << e.what();
  }
}

TEST(Trainer, DataThatDoesNotFitTheModelIsRefused) {
  ir::Graph g = build_zoo_model("mlp", ZooSpec{3, 32, 32, 10, {0.5f, 0.5f, 0.5f}, {0.25f, 0.25f, 0.25f}});
  data::Dataset train = data::load_dataset("fashion-mnist:train:64");
  EXPECT_THROW(fit(g, train, nullptr, quick(1)), Error);
}

}  // namespace
}  // namespace etch::train
