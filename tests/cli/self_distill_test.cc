// Data without labels through `etch prune` and `etch distill`: fine-tuning by
// matching the unpruned (teacher) model's outputs, reported as SQNR.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/etch_process.h"
#include "data/npz_writer.h"
#include "etch/data/dataset.h"

namespace etch {
namespace {

using testing::kCnn;
using testing::quote;
using testing::ScratchDir;

// 64 Fashion-MNIST images as an npz with only the input array "x".
std::string unlabelled_npz(const ScratchDir& dir) {
  const data::Dataset d = data::load_dataset("fashion-mnist:test:64");
  return dir.write("x.npz", testing::npz_bytes({{"x", d.images}}));
}

TEST(CliSelfDistill, PruneWithoutLabelsMatchesTheUnprunedModelThenDistillContinues) {
  ScratchDir dir;
  const std::string data = "npz:" + quote(unlabelled_npz(dir));
  auto p = testing::run_etch("prune " + quote(kCnn) + " --structure 2:4 --data " + data +
                                 " --eval none --finetune-epochs 1 --batch-size 16 --lr 1e-4 --json -o pruned.onnx",
                             dir);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const nlohmann::json pj = nlohmann::json::parse(p.out);
  EXPECT_GT(pj["weight_sparsity"].get<double>(), 0.45);  // 2:4 on every layer whose channels allow it
  EXPECT_LT(pj["accuracy_finetuned"].get<double>(), 0) << "no labels: no accuracy";
  ASSERT_TRUE(pj.contains("sqnr_pruned_db") && pj.contains("sqnr_finetuned_db")) << p.out;
  EXPECT_GT(pj["sqnr_finetuned_db"].get<double>(), pj["sqnr_pruned_db"].get<double>())
      << "fine-tuning must bring the pruned outputs closer to the unpruned model's";
  EXPECT_GT(pj["finetune_images_per_sec"].get<double>(), 0);
  ASSERT_TRUE(std::filesystem::exists(dir.path() / "pruned.onnx"));

  auto d = testing::run_etch("distill --teacher " + quote(kCnn) + " --student pruned.onnx --data " + data +
                                 " --eval none --epochs 1 --batch-size 16 --lr 1e-4 --json -o distilled.onnx",
                             dir);
  ASSERT_EQ(d.exit_code, 0) << d.err;
  const nlohmann::json dj = nlohmann::json::parse(d.out);
  EXPECT_NEAR(dj["sqnr_before_db"].get<double>(), pj["sqnr_finetuned_db"].get<double>(), 1e-6)
      << "the pruned model as prune measured it";
  EXPECT_GT(dj["best_sqnr_db"].get<double>(), dj["sqnr_before_db"].get<double>());
  ASSERT_EQ(dj["epochs"].size(), 1u);
  EXPECT_GT(dj["epochs"][0]["samples_per_sec"].get<double>(), 0);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "distilled.onnx"));
}

}  // namespace
}  // namespace etch
