// `etch prune` end to end: the written model imports, is smaller, keeps its
// interface, and the JSON summary agrees with it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/etch_process.h"
#include "etch/ir/cost.h"
#include "etch/onnx/importer.h"

namespace etch {
namespace {

TEST(CliPrune, ChannelPruningWritesASmallerModelWithTheSameInterface) {
  testing::ScratchDir dir;
  const std::string model = testing::source_path("fixtures/cnn.onnx");
  testing::ProcessResult r = testing::run_etch(
      "--threads 1 prune " + testing::quote(model) +
          " --criterion taylor --taylor-batches 2 --structure channel --sparsity 0.5 --data fashion-mnist:train:256"
          " --eval fashion-mnist:test:200 --json -o pruned.onnx",
      dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ir::Graph before = onnx::import_model(model);
  ir::Graph after = onnx::import_model(dir / "pruned.onnx");
  EXPECT_EQ(j["macs_before"].get<int64_t>(), ir::graph_cost(before).macs);
  EXPECT_EQ(j["macs_after"].get<int64_t>(), ir::graph_cost(after).macs);
  EXPECT_LT(j["macs_after"].get<int64_t>(), j["macs_before"].get<int64_t>() * 6 / 10);
  EXPECT_EQ(j["layers"].size(), 3u);
  EXPECT_GT(j["accuracy_before"].get<double>(), 0.8);
  EXPECT_LT(j["accuracy_finetuned"].get<double>(), 0);  // no fine-tuning asked for
  ASSERT_EQ(after.inputs.size(), 1u);
  EXPECT_EQ(after.value(after.inputs[0]).name, before.value(before.inputs[0]).name);
  EXPECT_EQ(after.value(after.outputs[0]).name, before.value(before.outputs[0]).name);
  EXPECT_EQ(after.value(after.outputs[0]).shape, before.value(before.outputs[0]).shape);
}

TEST(CliPrune, TextOutputHasTheLayerTableAndAccuracies) {
  testing::ScratchDir dir;
  testing::ProcessResult r =
      testing::run_etch("--threads 1 prune " + testing::quote(testing::source_path("fixtures/cnn.onnx")) +
                            " --structure 2:4 --data fashion-mnist:train:128 --eval fashion-mnist:test:100 -o p.onnx",
                        dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* s : {"params before", "MACs after", "sparsity", "/conv2/Conv", "fewer than 4 input channels",
                        "test accuracy", "after pruning", "after fine-tuning"})
    EXPECT_NE(r.out.find(s), std::string::npos) << "missing '" << s << "' in:\n" << r.out;
}

}  // namespace
}  // namespace etch
