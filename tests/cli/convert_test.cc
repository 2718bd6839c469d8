// etch convert: TFLite fixtures written as ONNX run (in etch, here; in ONNX
// Runtime, bench/onnx_vs_expected.mjs) to TFLite's own outputs, committed by
// scripts/make_tflite_fixtures.py from TFLite's runtime; bad input exits 2
// with nothing written.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli/etch_process.h"
#include "etch/data/npy.h"
#include "etch/onnx/importer.h"

namespace etch {
namespace {

using testing::quote;
using testing::ScratchDir;
using testing::source_path;

float max_rel_diff(const Tensor& got, const Tensor& want) {
  float lo = want.data<float>()[0], hi = lo, diff = 0;
  for (int64_t i = 0; i < want.numel(); ++i) {
    lo = std::min(lo, want.data<float>()[i]);
    hi = std::max(hi, want.data<float>()[i]);
    diff = std::max(diff, std::abs(got.data<float>()[i] - want.data<float>()[i]));
  }
  return diff / std::max(hi - lo, 1e-12f);
}

TEST(CliConvert, TfliteAsOnnxMatchesTflitesRuntime) {
  // conv: CONV_2D and DEPTHWISE_CONV_2D with fused activations; int8: a fully
  // quantized model (QDQ in ONNX); tconv: TRANSPOSE_CONV.
  for (const std::string name : {"conv", "int8", "tconv"}) {
    SCOPED_TRACE(name);
    ScratchDir dir;
    const std::string fixture = source_path("fixtures/tflite/" + name);
    auto c = testing::run_etch("convert " + quote(fixture + ".tflite") + " -o m.onnx", dir);
    ASSERT_EQ(c.exit_code, 0) << c.err;
    EXPECT_NE(c.out.find("wrote m.onnx"), std::string::npos) << c.out;
    const ir::Graph g = onnx::import_model(dir / "m.onnx");
    auto r = testing::run_etch("run m.onnx --input " + quote(fixture + ".input0.npy") + " --output-dir out", dir);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (size_t i = 0; i < g.outputs.size(); ++i) {
      const Tensor got = data::read_npy(dir / ("out/" + g.value(g.outputs[i]).name + ".npy"));
      const Tensor want = data::read_npy(fixture + ".expected" + std::to_string(i) + ".npy");
      ASSERT_EQ(got.shape(), want.shape()) << g.value(g.outputs[i]).name;
      EXPECT_LE(max_rel_diff(got, want), 1e-4f) << g.value(g.outputs[i]).name;
    }
  }
}

TEST(CliConvert, BadModelExitsTwoAndWritesNothing) {
  ScratchDir dir;
  const std::string bad = dir.write("bad.tflite", std::string("\x1c\0\0\0TFL3garbage-not-a-flatbuffer", 32));
  auto r = testing::run_etch("convert " + quote(bad) + " -o m.onnx", dir);
  testing::expect_one_line_user_error(r, {"bad.tflite"});
  EXPECT_FALSE(std::filesystem::exists(dir / "m.onnx"));
}

}  // namespace
}  // namespace etch
