// etch prune / etch distill inputs that must fail: exit code 2, one line on
// stderr naming what is wrong, no output file left behind.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli/etch_process.h"
#include "etch/ir/builder.h"
#include "etch/onnx/exporter.h"
#include "etch/train/zoo.h"

namespace etch {
namespace {

using testing::quote;
using testing::ScratchDir;
using testing::source_path;

const std::string kQuotedCnn = quote(source_path("fixtures/cnn.onnx"));

void expect_prune_failure(const ScratchDir& dir, const std::string& args, const std::vector<std::string>& mentions) {
  testing::expect_one_line_user_error(testing::run_etch("--quiet " + args, dir), mentions);
  EXPECT_FALSE(std::filesystem::exists(dir / "out.onnx"));
}

TEST(PruneErrors, SparsityOutsideZeroToOne) {
  ScratchDir dir;
  expect_prune_failure(dir, "prune " + kQuotedCnn + " --sparsity 1.0 --eval none -o out.onnx",
                       {"sparsity 1", "[0, 1)"});
  expect_prune_failure(dir, "prune " + kQuotedCnn + " --sparsity -0.2 --eval none -o out.onnx",
                       {"sparsity -0.2", "[0, 1)"});
}

TEST(PruneErrors, NMWhoseMDoesNotDivideTheChannelsNamesTheLayer) {
  ScratchDir dir;
  // conv2 of the fixture has 16 input channels: 2:6 cannot group them.
  expect_prune_failure(dir, "prune " + kQuotedCnn + " --structure 2:6 --eval none -o out.onnx",
                       {"16 input channels", "M=6", "Conv"});
}

TEST(PruneErrors, ModelWithoutPrunableLayer) {
  ScratchDir dir;
  ir::GraphBuilder b("relu_only", 1);
  b.output(b.relu(b.input("x", {1, 1, 28, 28})), "y");
  onnx::export_model(b.finish(), dir / "relu.onnx");
  expect_prune_failure(dir, "prune relu.onnx --eval none -o out.onnx", {"no prunable layer"});
}

TEST(PruneErrors, UnusedDataIsNamedNotSilentlyIgnored) {
  // Magnitude pruning without fine-tuning reads no data: the run succeeds and
  // says that --data was not used.
  ScratchDir dir;
  const testing::ProcessResult r =
      testing::run_etch("prune " + kQuotedCnn + " --data npz:missing.npz --eval none -o out.onnx", dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("--data npz:missing.npz is not used"), std::string::npos) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "out.onnx"));
}

TEST(TrainErrors, InitModelWithTwoOutputsIsNamed) {
  ScratchDir dir;
  ir::GraphBuilder b("two_outputs", 1);
  const auto x = b.input("x", {1, 1, 28, 28});
  b.output(b.relu(x), "y");
  b.output(b.relu(x), "z");
  onnx::export_model(b.finish(), dir / "two.onnx");
  testing::expect_one_line_user_error(
      testing::run_etch("--quiet train --init two.onnx --data fashion-mnist:test:64 --eval none -o out.onnx", dir),
      {"two.onnx", "1 inputs and 2 outputs"});
  EXPECT_FALSE(std::filesystem::exists(dir / "out.onnx"));
}

TEST(PruneErrors, UnknownStructureAndCriterion) {
  ScratchDir dir;
  expect_prune_failure(dir, "prune " + kQuotedCnn + " --structure rows --eval none -o out.onnx", {"'rows'"});
  expect_prune_failure(dir, "prune " + kQuotedCnn + " --criterion l3 --eval none -o out.onnx", {"'l3'"});
  expect_prune_failure(dir, "prune " + kQuotedCnn + " --structure channel --tied drop --eval none -o out.onnx",
                       {"--tied", "'drop'", "joint or skip"});
}

TEST(DistillErrors, TeacherAndStudentOutputsDiffer) {
  ScratchDir dir;
  train::ZooSpec five;
  five.classes = 5;
  onnx::export_model(train::build_zoo_model("mlp", five), dir / "student5.onnx");
  expect_prune_failure(dir,
                       "distill --teacher " + kQuotedCnn +
                           " --student student5.onnx --data fashion-mnist:test:64 --eval none "
                           "--epochs 1 -o out.onnx",
                       {"cnn.onnx", "student5.onnx", "[1,10]", "[1,5]"});
}

TEST(DistillErrors, BadTemperatureAndAlpha) {
  ScratchDir dir;
  expect_prune_failure(
      dir,
      "distill --teacher " + kQuotedCnn +
          " --student-arch lenet5 --temperature 0 --data fashion-mnist:test:64 --eval none -o out.onnx",
      {"--temperature"});
  expect_prune_failure(dir,
                       "distill --teacher " + kQuotedCnn +
                           " --student-arch lenet5 --alpha 1.5 --data fashion-mnist:test:64 --eval none -o out.onnx",
                       {"--alpha"});
}

}  // namespace
}  // namespace etch
