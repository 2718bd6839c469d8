// etch deploy / etch validate inputs that must fail: exit code 2, one line on
// stderr naming the problem, and nothing left in the output folder.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli/etch_process.h"
#include "etch/data/png_io.h"

namespace etch {
namespace {

using testing::quote;
using testing::ScratchDir;
using testing::source_path;

using testing::kCnn;
// Small and quick: the failures under test happen before any long work.
const std::string kQuick = " --train-data fashion-mnist:test:64 --eval-data fashion-mnist:test:32 --calib-samples 32";

void expect_deploy_failure(const ScratchDir& dir, const std::string& args, const std::vector<std::string>& mentions) {
  testing::expect_one_line_user_error(testing::run_etch(args, dir), mentions);
  if (std::filesystem::exists(dir.path() / "out"))
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path() / "out"))
      ADD_FAILURE() << "left behind: " << e.path();
}

// An images:DIR data set with `classes` sub-folders of `per_class` grey size x size PNGs.
std::string image_folder(const ScratchDir& dir, const std::string& name, int classes, int size, int per_class = 2) {
  for (int c = 0; c < classes; ++c) {
    const std::filesystem::path sub = dir.path() / name / ("class" + std::to_string(c));
    std::filesystem::create_directories(sub);
    for (int i = 0; i < per_class; ++i) {
      data::PngImage img{size, size, 1, std::vector<uint8_t>(size * size, static_cast<uint8_t>(40 * c + i))};
      data::write_png((sub / (std::to_string(i) + ".png")).string(), img);
    }
  }
  return "images:" + (dir.path() / name).string();
}

TEST(DeployErrors, OutputFolderNotWritable) {
  ScratchDir dir;
  dir.write("a_file", "not a folder");
  testing::ProcessResult r = testing::run_etch("deploy " + quote(kCnn) + kQuick + " -o a_file/out", dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("a_file/out"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("cannot create folder"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
}

TEST(DeployErrors, ImageSizeDoesNotMatchModelInput) {
  ScratchDir dir;
  const std::string spec = image_folder(dir, "small", 10, 16);
  expect_deploy_failure(dir, "deploy " + quote(kCnn) + " --data " + quote(spec) + " --calib-samples 32 -o out",
                        {"[?,1,16,16]", "[?,1,28,28]", "input 'input'"});
}

TEST(DeployErrors, LabelCountDoesNotMatchModelOutput) {
  ScratchDir dir;
  const std::string spec = image_folder(dir, "three", 3, 28);
  expect_deploy_failure(dir, "deploy " + quote(kCnn) + " --data " + quote(spec) + " --calib-samples 32 -o out",
                        {"3 classes", "10 scores per image", "logits"});
}

TEST(DeployErrors, BadOptions) {
  ScratchDir dir;
  expect_deploy_failure(dir, "deploy " + quote(kCnn) + kQuick + " --bits 3 -o out", {"--bits must be 8 or 4"});
  expect_deploy_failure(dir, "deploy " + quote(kCnn) + kQuick + " --calibrator median -o out", {"median"});
  expect_deploy_failure(dir, "deploy " + quote(kCnn) + kQuick + " --prune taylor:rows:0.5 -o out", {"rows"});
  expect_deploy_failure(dir, "deploy " + quote(kCnn) + kQuick + " --target nosuchchip -o out", {"nosuchchip"});
  expect_deploy_failure(dir, "deploy missing.onnx" + kQuick + " -o out", {"missing.onnx"});
}

TEST(ValidateErrors, BadExecutorsAndData) {
  ScratchDir dir;
  expect_deploy_failure(
      dir, "validate " + quote(kCnn) + " --data fashion-mnist:test:8 --executors float,gpu --report-dir out",
      {"unknown executor 'gpu'"});
  expect_deploy_failure(dir,
                        "validate " + quote(kCnn) + " --data fashion-mnist:test:8 --executors int --report-dir out",
                        {"executor 'int'", "quantized"});
  const std::string spec = image_folder(dir, "three", 3, 28);
  expect_deploy_failure(dir, "validate " + quote(kCnn) + " --data " + quote(spec) + " --report-dir out",
                        {"3 classes", "10 scores per image"});
}

}  // namespace
}  // namespace etch
