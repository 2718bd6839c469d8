// etch export: an int8 model written as .tflite. The int8 TFLite fixture
// (written by TFLite's converter, with TFLite's own outputs beside it) is
// exported again: the exported integer graph gives TFLite's outputs within
// one int8 step, and exporting the exported file gives the same integers. A
// float model exits 2 with one line and nothing written.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli/etch_process.h"
#include "etch/data/npy.h"

namespace etch {
namespace {

using testing::quote;
using testing::ScratchDir;
using testing::source_path;

TEST(CliExport, Int8TfliteExportsAndRoundTrips) {
  ScratchDir dir;
  const std::string fixture = source_path("fixtures/tflite/int8");
  auto e = testing::run_etch("export " + quote(fixture + ".tflite") + " -o m.tflite --integer-onnx m.int.onnx", dir);
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_NE(e.out.find("CONV_2D"), std::string::npos) << e.out;
  EXPECT_NE(e.out.find("QUANTIZE"), std::string::npos) << e.out;
  auto r = testing::run_etch("run m.int.onnx --input " + quote(fixture + ".input0.npy") + " --output-dir out", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto again = testing::run_etch("export m.tflite -o m2.tflite --integer-onnx m2.int.onnx", dir);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  auto r2 = testing::run_etch("run m2.int.onnx --input " + quote(fixture + ".input0.npy") + " --output-dir out2", dir);
  ASSERT_EQ(r2.exit_code, 0) << r2.err;

  const Tensor want = data::read_npy(fixture + ".expected0.npy");
  std::string name;
  for (const auto& f : std::filesystem::directory_iterator(dir / "out")) name = f.path().filename().string();
  const Tensor got = data::read_npy(dir / ("out/" + name));
  const Tensor got2 = data::read_npy(dir / ("out2/" + name));
  ASSERT_EQ(got.numel(), want.numel());
  ASSERT_EQ(got2.shape(), got.shape());
  float lo = 0, hi = 0, diff = 0;
  for (int64_t i = 0; i < want.numel(); ++i) {
    lo = std::min(lo, want.data<float>()[i]);
    hi = std::max(hi, want.data<float>()[i]);
    diff = std::max(diff, std::abs(got.data<float>()[i] - want.data<float>()[i]));
    EXPECT_EQ(got2.data<float>()[i], got.data<float>()[i]) << "element " << i;
  }
  // TFLite's runtime requantizes with one rounding, etch with two
  // (docs/tflite.md): at most one output step (range / 255) apart.
  EXPECT_LE(diff, (hi - lo) / 255 * 1.001f);
}

TEST(CliExport, FloatModelExitsTwoAndWritesNothing) {
  ScratchDir dir;
  auto r = testing::run_etch("export " + quote(source_path("fixtures/cnn.onnx")) + " -o m.tflite", dir);
  testing::expect_one_line_user_error(r, {"cnn.onnx", "not quantized"});
  EXPECT_FALSE(std::filesystem::exists(dir / "m.tflite"));
}

}  // namespace
}  // namespace etch
