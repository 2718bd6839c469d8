// `etch quantize` with bad input: exit code 2, one line on stderr naming what
// is wrong, and no output file left behind.
#include <gtest/gtest.h>

#include <filesystem>
#include <limits>

#include "cli/etch_process.h"
#include "etch/onnx/exporter.h"
#include "etch/onnx/importer.h"

namespace etch {
namespace {

using testing::quote;
using testing::ScratchDir;
using testing::source_path;

using testing::kCnn;
// Small and fast: 64 calibration images, no test-set evaluation.
const std::string kFast = " --data fashion-mnist:train:64 --calib-samples 64 --test none";

void expect_quantize_fails(const ScratchDir& dir, const std::string& args, const std::vector<std::string>& mentions) {
  testing::expect_one_line_user_error(testing::run_etch("quantize " + args + " -o out.onnx", dir), mentions);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "out.onnx")) << "no output on failure";
}

TEST(QuantizeErrors, KeepFloatNodeThatDoesNotExist) {
  ScratchDir dir;
  expect_quantize_fails(dir, quote(kCnn) + kFast + " --keep-float /conv9/Conv", {"--keep-float", "'/conv9/Conv'"});
}

TEST(QuantizeErrors, NanInWeightsNamesTheTensor) {
  ScratchDir dir;
  ir::Graph g = onnx::import_model(kCnn);
  std::string name;
  for (const auto& n : g.nodes())
    if (n.op_type == "Gemm") {
      ir::Value& w = g.value(n.inputs[1]);
      Tensor t = w.data->clone();
      t.data<float>()[17] = std::numeric_limits<float>::quiet_NaN();
      w.data = t;
      name = w.name;
    }
  ASSERT_FALSE(name.empty());
  onnx::export_model(g, (dir.path() / "nan.onnx").string());
  expect_quantize_fails(dir, "nan.onnx" + kFast, {"'" + name + "'", "nan", "element 17"});
}

TEST(QuantizeErrors, AlreadyQuantizedModelIsRefused) {
  ScratchDir dir;
  testing::ProcessResult r = testing::run_etch("quantize " + quote(kCnn) + kFast + " -o q.onnx", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_quantize_fails(dir, "q.onnx" + kFast, {"already quantized"});
}

TEST(QuantizeErrors, BadCalibratorAndBits) {
  ScratchDir dir;
  expect_quantize_fails(dir, quote(kCnn) + kFast + " --calibrator kl", {"'kl'", "minmax"});
  expect_quantize_fails(dir, quote(kCnn) + kFast + " --bits 3", {"8 or 4"});
  expect_quantize_fails(dir, quote(kCnn) + kFast + " --bits-per-layer /conv1/Conv=2", {"/conv1/Conv", "2 bits"});
}

TEST(QuantizeErrors, NegativeLiveBatchNormSteps) {
  ScratchDir dir;
  expect_quantize_fails(dir, quote(kCnn) + kFast + " --qat-epochs 1 --qat-steps 1 --qat-freeze-bn-steps -3",
                        {"BatchNorm", "-3"});
}

}  // namespace
}  // namespace etch
