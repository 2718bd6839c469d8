// compress::prune end to end on the PyTorch-trained fixture CNN with small
// Fashion-MNIST subsets (the full acceptance runs are documented commands).
#include "etch/compress/prune.h"

#include <gtest/gtest.h>

#include "etch/compress/layers.h"
#include "etch/data/dataset.h"
#include "etch/ir/builder.h"
#include "etch/onnx/importer.h"

namespace etch::compress {
namespace {

const std::string kCnn = std::string(ETCH_SOURCE_DIR) + "/fixtures/cnn.onnx";

struct Data {
  data::Dataset train = data::load_dataset("fashion-mnist:train:1024");
  data::Dataset test = data::load_dataset("fashion-mnist:test:500");
};
const Data& sets() {
  static Data d;
  return d;
}

TEST(Prune, ChannelTaylorHalvesTheChannelsAndCutsMacs) {
  ir::Graph g = onnx::import_model(kCnn);
  PruneOptions o = parse_prune_spec("taylor:channel:0.5");
  o.taylor_batches = 4;
  o.progress = false;
  PruneResult r = prune(g, o, &sets().train, &sets().test);
  ASSERT_EQ(r.layers.size(), 3u);
  EXPECT_EQ(r.layers[0].params_after * 2, r.layers[0].params_before);  // 16 -> 8 output channels
  EXPECT_EQ(r.layers[1].params_after * 4, r.layers[1].params_before);  // 8 of 16 in, 16 of 32 out
  EXPECT_LE(r.macs_after, 0.6 * r.macs_before);
  EXPECT_NE(r.layers[2].note.find("model output"), std::string::npos);
  EXPECT_GT(r.acc_before, 0.85);
  EXPECT_GT(r.acc_pruned, 0.1);  // still a working model before fine-tuning
  EXPECT_EQ(g.value(g.outputs[0]).shape.back(), 10);
}

TEST(Prune, UnstructuredMagnitudeHitsTheSparsityAndFineTuningKeepsZerosZero) {
  ir::Graph g = onnx::import_model(kCnn);
  PruneOptions o = parse_prune_spec("magnitude:unstructured:0.8");
  o.finetune_epochs = 1;
  o.finetune_max_steps = 8;
  o.progress = false;
  PruneResult r = prune(g, o, &sets().train, &sets().test);
  EXPECT_NEAR(r.weight_sparsity, 0.8, 0.005);
  for (const auto& l : r.layers) EXPECT_NEAR(l.sparsity, 0.8, 0.01) << l.name;
  EXPECT_EQ(r.macs_after, r.macs_before);  // masks only
  EXPECT_EQ(r.finetune.epochs.size(), 1u);
  EXPECT_GE(r.acc_finetuned, 0.0);
}

TEST(Prune, TwoFourLeavesAtMostTwoNonzerosInEveryGroupOfFourInputChannels) {
  ir::Graph g = onnx::import_model(kCnn);
  PruneOptions o = parse_prune_spec("magnitude:2:4");
  o.finetune_epochs = 1;
  o.finetune_max_steps = 4;
  o.progress = false;
  PruneResult r = prune(g, o, &sets().train, nullptr);
  EXPECT_NE(r.layers[0].note.find("fewer than 4"), std::string::npos);  // conv1 has one input channel
  for (const Layer& l : find_layers(g)) {
    if (l.in_channels < 4) continue;
    const Tensor& w = *g.value(l.weight).data;
    const WeightLayout lay(w, l);
    for (int64_t i = 0; i < w.numel(); ++i) {
      if (lay.in_of(i) % 4 != 0) continue;
      int nz = 0;
      for (int64_t k = 0; k < 4; ++k) nz += w.data<float>()[i + k * lay.in_stride] != 0.0f;
      ASSERT_LE(nz, 2) << l.name << " group at " << i;
    }
  }
}

TEST(Prune, PolynomialScheduleReachesTheFinalSparsityDuringFineTuning) {
  ir::Graph g = onnx::import_model(kCnn);
  PruneOptions o = parse_prune_spec("magnitude:unstructured:0.6");
  o.schedule.kind = "polynomial";
  o.schedule.begin_step = 0;
  o.schedule.end_step = 10;
  o.schedule.frequency = 2;
  o.finetune_epochs = 1;
  o.finetune_max_steps = 14;
  o.progress = false;
  PruneResult r = prune(g, o, &sets().train, nullptr);
  EXPECT_NEAR(r.weight_sparsity, 0.6, 0.005);
  EXPECT_LT(r.acc_pruned, 0);  // no one-shot point in a gradual schedule
}

TEST(Prune, GradualChannelPruningEndsInTheSmallerDenseModel) {
  ir::Graph g = onnx::import_model(kCnn);
  PruneOptions o = parse_prune_spec("magnitude:channel:0.5");
  o.schedule.kind = "polynomial";
  o.schedule.end_step = 6;
  o.schedule.frequency = 3;
  o.finetune_epochs = 1;
  o.finetune_max_steps = 8;
  o.progress = false;
  PruneResult r = prune(g, o, &sets().train, &sets().test);
  EXPECT_LE(r.macs_after, 0.6 * r.macs_before);
  EXPECT_GT(r.acc_finetuned, 0.1);
}

TEST(Prune, ScheduleEndingAfterFineTuningIsAnError) {
  ir::Graph g = onnx::import_model(kCnn);
  PruneOptions o = parse_prune_spec("magnitude:unstructured:0.5");
  o.schedule.kind = "polynomial";
  o.schedule.end_step = 100;
  o.finetune_epochs = 1;
  o.finetune_max_steps = 8;
  o.progress = false;
  try {
    prune(g, o, &sets().train, nullptr);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("--end-step 100"), std::string::npos) << e.what();
  }
}

TEST(Prune, ModelWithoutPrunableLayerIsAnError) {
  ir::GraphBuilder b("relu_only", 1);
  b.output(b.relu(b.input("x", {1, 4})), "y");
  ir::Graph g = b.finish();
  PruneOptions o;
  try {
    prune(g, o, nullptr, nullptr);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("no prunable layer"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace etch::compress
