// End-to-end: the etch binary on the committed Fashion-MNIST fixture.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/etch_process.h"
#include "etch/data/npy.h"
#include "etch/onnx/importer.h"

namespace etch {
namespace {

using testing::quote;
using testing::ScratchDir;
using testing::source_path;

using testing::kCnn;

float max_abs_diff(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  float m = 0;
  for (int64_t i = 0; i < std::min(a.numel(), b.numel()); ++i)
    m = std::max(m, std::abs(a.data<float>()[i] - b.data<float>()[i]));
  return m;
}

TEST(Cli, VersionAndHelpExitZero) {
  ScratchDir dir;
  auto v = testing::run_etch("--version", dir);
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("etch "), std::string::npos) << v.out;
  auto h = testing::run_etch("--help", dir);
  EXPECT_EQ(h.exit_code, 0) << h.err;
  EXPECT_NE(h.out.find("inspect"), std::string::npos) << h.out;
  EXPECT_NE(h.out.find("run"), std::string::npos) << h.out;
  for (const char* cmd : {"inspect", "run"}) {
    auto c = testing::run_etch(std::string(cmd) + " --help", dir);
    EXPECT_EQ(c.exit_code, 0) << c.err;
    EXPECT_NE(c.out.find("Example"), std::string::npos) << cmd << ":\n" << c.out;
  }
}

TEST(Cli, RunMatchesPyTorchLogits) {
  ScratchDir dir;
  auto r = testing::run_etch(
      "run " + quote(kCnn) + " --input " + quote(source_path("fixtures/cnn_input.npy")) + " --output-dir out", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Tensor got = data::read_npy(dir / "out/logits.npy");
  Tensor want = data::read_npy(source_path("fixtures/cnn_output.npy"));
  ASSERT_EQ(got.shape(), (Shape{8, 10}));
  EXPECT_LT(max_abs_diff(got, want), 1e-4f);
  // Only the output (no temporaries) is in the folder.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path() / "out")) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
}

TEST(Cli, RunOptimizedAndAsWrittenAgreeWithinFloatRounding) {
  ScratchDir dir;
  const std::string in = " --input " + quote(source_path("fixtures/cnn_input.npy"));
  auto fused = testing::run_etch("run " + quote(kCnn) + in + " -o fused", dir);
  auto plain = testing::run_etch("run --no-optimize " + quote(kCnn) + in + " -o plain", dir);
  ASSERT_EQ(fused.exit_code, 0) << fused.err;
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const Tensor a = data::read_npy(dir / "fused/logits.npy"), b = data::read_npy(dir / "plain/logits.npy");
  EXPECT_LT(max_abs_diff(a, b), 1e-5f);
  EXPECT_GT(max_abs_diff(a, b), 0.0f) << "BatchNorm folding changes float rounding; equal bits mean it did not run";
}

// --integer runs a quantized model as etch's integer ops: its logits are the
// QDQ graph's up to the two readings' rounding (gemmlowp fixed point against
// float requantization), a few output steps at most; a float model is refused.
TEST(Cli, RunIntegerRunsTheQuantizedModelAsIntegerOps) {
  ScratchDir dir;
  auto q = testing::run_etch(
      "--quiet quantize " + quote(kCnn) + " --data fashion-mnist:test:64 --calib-samples 32 --test none -o q.onnx",
      dir);
  ASSERT_EQ(q.exit_code, 0) << q.err;
  const std::string in = " --input " + quote(source_path("fixtures/cnn_input.npy"));
  auto integer = testing::run_etch("run q.onnx --integer" + in + " -o int", dir);
  auto qdq = testing::run_etch("run q.onnx" + in + " -o qdq", dir);
  ASSERT_EQ(integer.exit_code, 0) << integer.err;
  ASSERT_EQ(qdq.exit_code, 0) << qdq.err;
  const Tensor a = data::read_npy(dir / "int/logits.npy"), b = data::read_npy(dir / "qdq/logits.npy");
  ASSERT_EQ(a.shape(), (Shape{8, 10}));
  EXPECT_LT(max_abs_diff(a, b), 0.5f);
  auto refused = testing::run_etch("run " + quote(kCnn) + " --integer" + in, dir);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("is not quantized"), std::string::npos) << refused.err;
}

// --seed sets the initial weights as well as the shuffling: with a learning
// rate too small to move them, two seeds must still give different weights,
// and the same seed the same ones.
TEST(Cli, TrainSeedSetsTheInitialWeights) {
  ScratchDir dir;
  const auto train = [&](int seed, const std::string& out) {
    auto r = testing::run_etch(
        "--quiet train --arch mlp --data fashion-mnist:test:256 --eval none --epochs 1 "
        "--lr 1e-12 --seed " +
            std::to_string(seed) + " -o " + out,
        dir);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const ir::Graph g = onnx::import_model((dir.path() / out).string());
    std::vector<float> w;
    for (int v = 0; v < g.num_values(); ++v)
      if (g.value(v).data && g.value(v).data->dtype() == DType::F32 && g.value(v).data->numel() > 100)
        for (float x : g.value(v).data->to_float_vector()) w.push_back(x);
    return w;
  };
  const std::vector<float> a = train(1, "a.onnx"), b = train(2, "b.onnx"), a2 = train(1, "a2.onnx");
  ASSERT_EQ(a.size(), b.size());
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, a2);
  float diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff = std::max(diff, std::fabs(a[i] - b[i]));
  EXPECT_GT(diff, 1e-3f);
}

TEST(Cli, RunAcceptsNamedInputAndOtherBatchSizes) {
  ScratchDir dir;
  Tensor all = data::read_npy(source_path("fixtures/cnn_input.npy"));
  Tensor want = data::read_npy(source_path("fixtures/cnn_output.npy"));
  // Batch 3: rows 0..2 of the fixture.
  Tensor three(DType::F32, {3, 1, 28, 28});
  std::memcpy(three.raw(), all.raw(), three.nbytes());
  data::write_npy(dir / "three.npy", three);
  auto r = testing::run_etch("run " + quote(kCnn) + " --input input=three.npy -o out --json", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["outputs"][0]["name"], "logits");
  EXPECT_EQ(j["outputs"][0]["shape"], (std::vector<int64_t>{3, 10}));
  Tensor got = data::read_npy(dir / "out/logits.npy");
  for (int64_t i = 0; i < 30; ++i) EXPECT_NEAR(got.data<float>()[i], want.data<float>()[i], 1e-4f) << i;
}

TEST(Cli, InspectJsonReportsHandComputedTotals) {
  ScratchDir dir;
  auto r = testing::run_etch("inspect " + quote(kCnn) + " --json", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  // conv1: 16*28*28 outputs * 1*3*3 = 112,896; conv2: 32*14*14 * 16*3*3 = 903,168;
  // linear: 1568*10 = 15,680 (per image; the batch is dynamic).
  EXPECT_EQ(j["totals"]["macs"].get<int64_t>(), 112896 + 903168 + 15680);
  EXPECT_TRUE(j["totals"]["macs_per_sample"].get<bool>());
  // conv1 144 + bn1 4*16 + conv2 4608 + bn2 4*32 + fc 15680+10 + the two normalisation scalars.
  EXPECT_EQ(j["totals"]["params"].get<int64_t>(), 144 + 64 + 4608 + 128 + 15690 + 2);
  EXPECT_EQ(j["opset"].get<int64_t>(), 13);
  ASSERT_EQ(j["inputs"].size(), 1u);
  EXPECT_EQ(j["inputs"][0]["name"], "input");
  EXPECT_EQ(j["inputs"][0]["shape"], (std::vector<int64_t>{-1, 1, 28, 28}));
  EXPECT_EQ(j["outputs"][0]["shape"], (std::vector<int64_t>{-1, 10}));
  int convs = 0;
  for (const auto& n : j["nodes"]) {
    if (n["op"] != "Conv") continue;
    ++convs;
    EXPECT_TRUE(n["macs"] == 112896 || n["macs"] == 903168) << n.dump();
  }
  EXPECT_EQ(convs, 2);
}

TEST(Cli, InspectTableShowsTotals) {
  ScratchDir dir;
  auto r = testing::run_etch("inspect " + quote(kCnn), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1,031,744"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("opset 13"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Gemm"), std::string::npos) << r.out;
}

TEST(Cli, RunOnDataSetReportsAccuracy) {
  ScratchDir dir;
  auto r = testing::run_etch("run " + quote(kCnn) + " --data fashion-mnist:test:10 --batch 4 --json", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["images"], 10);
  ASSERT_EQ(j["predictions"].size(), 10u);
  Tensor labels = data::read_npy(source_path("fixtures/cnn_labels.npy"));
  Tensor logits = data::read_npy(source_path("fixtures/cnn_output.npy"));
  int64_t correct = 0;
  for (const auto& p : j["predictions"]) correct += p["label"] == p["predicted"];
  EXPECT_EQ(j["correct"].get<int64_t>(), correct);
  for (int64_t i = 0; i < 8; ++i) {
    const auto& p = j["predictions"][i];
    EXPECT_EQ(p["label"].get<int64_t>(), labels.data<int64_t>()[i]);
    // The prediction is PyTorch's arg-max, the confidence its softmax probability.
    const float* row = logits.data<float>() + i * 10;
    int64_t best = std::max_element(row, row + 10) - row;
    EXPECT_EQ(p["predicted"].get<int64_t>(), best);
    double z = 0;
    for (int c = 0; c < 10; ++c) z += std::exp(double(row[c]) - row[best]);
    EXPECT_NEAR(p["confidence"].get<double>(), 1.0 / z, 1e-4);
  }
  auto t = testing::run_etch("run " + quote(kCnn) + " --data fashion-mnist:test:10", dir);
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("accuracy: " + std::to_string(correct) + "/10"), std::string::npos) << t.out;
  EXPECT_EQ(t.err, "");  // no progress bar when stderr is not a terminal
}

TEST(Cli, SimulateJsonUsesTheReportSchema) {
  // `etch simulate --json` and report.json's "npu" share one schema (docs/reports.md).
  ScratchDir dir;
  auto q = testing::run_etch(
      "--quiet quantize " + quote(kCnn) + " --data fashion-mnist:test:64 --calib-samples 32 --test none -o q.onnx",
      dir);
  ASSERT_EQ(q.exit_code, 0) << q.err;
  auto c = testing::run_etch("--quiet compile q.onnx --target edge -o m.npu", dir);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  auto s = testing::run_etch("simulate m.npu --data fashion-mnist:test:2 --json", dir);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const nlohmann::json j = nlohmann::json::parse(s.out);
  EXPECT_EQ(j["images"], 2);
  EXPECT_EQ(j["target"], "edge");
  EXPECT_EQ(j["program"], "m.npu");
  EXPECT_EQ(j["program_bytes"].get<int64_t>(), static_cast<int64_t>(std::filesystem::file_size(dir.path() / "m.npu")));
  EXPECT_GT(j["cycles"].get<int64_t>(), 0);
  EXPECT_DOUBLE_EQ(j["latency_ms"].get<double>(), j["cycles"].get<double>() / (j["clock_mhz"].get<double>() * 1e3));
  ASSERT_FALSE(j["layers"].empty());
  for (const auto& l : j["layers"]) {
    for (const char* f : {"name", "op", "cycles", "compute_cycles", "load_stall_cycles", "store_stall_cycles",
                          "utilization", "macs", "dram_bytes", "energy_uj"})
      EXPECT_TRUE(l.contains(f)) << f << " missing in " << l.dump();
    // What is not a DMA stall is the layer's own work.
    const int64_t rest =
        l["cycles"].get<int64_t>() - l["load_stall_cycles"].get<int64_t>() - l["store_stall_cycles"].get<int64_t>();
    EXPECT_EQ(l["compute_cycles"].get<int64_t>(), std::max<int64_t>(0, rest)) << l.dump();
  }
}

}  // namespace
}  // namespace etch
