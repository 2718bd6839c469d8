// etch validate end to end on the committed CNN fixture.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/etch_process.h"

namespace etch {
namespace {

using testing::quote;
using testing::ScratchDir;
using testing::source_path;

using testing::kCnn;

TEST(CliValidate, FloatModelMatchesEtchRunAndWritesReports) {
  ScratchDir dir;
  auto v =
      testing::run_etch("validate " + quote(kCnn) + " --data fashion-mnist:test:300 --batch 64 --report-dir rep", dir);
  ASSERT_EQ(v.exit_code, 0) << v.err;
  ASSERT_TRUE(std::filesystem::exists(dir.path() / "rep/report.html"));
  nlohmann::json rep = nlohmann::json::parse(testing::slurp(dir.path() / "rep/report.json"));
  ASSERT_EQ(rep["executors"].size(), 1u);
  EXPECT_EQ(rep["executors"][0]["name"], "float");
  EXPECT_EQ(rep["images"], 300);
  // The same accuracy `etch run` computes on its own (a separate code path).
  auto r = testing::run_etch("run " + quote(kCnn) + " --data fashion-mnist:test:300 --json", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json run = nlohmann::json::parse(r.out);
  EXPECT_EQ(rep["executors"][0]["correct"], run["correct"]);
  EXPECT_DOUBLE_EQ(rep["executors"][0]["top1"].get<double>(), run["accuracy"].get<double>());
  // Confusion matrix rows sum to the class supports, and the table is printed.
  int64_t total = 0;
  for (const auto& row : rep["executors"][0]["confusion"])
    for (const auto& c : row) total += c.get<int64_t>();
  EXPECT_EQ(total, 300);
  EXPECT_NE(v.out.find("macro-F1"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("Trouser"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("macro avg"), std::string::npos) << v.out;
  // Without --report-dir nothing is written.
  ScratchDir quiet;
  auto q = testing::run_etch("validate " + quote(kCnn) + " --data fashion-mnist:test:50", quiet);
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_TRUE(std::filesystem::is_empty(quiet.path())) << q.out;
  EXPECT_EQ(q.out.find("wrote"), std::string::npos) << q.out;
}

TEST(CliValidate, QuantizedModelOnIntegerReferenceAndNpu) {
  // Deploy makes the QDQ model; validate measures it again on its own and must
  // agree with deploy's report, and the NPU with the integer reference exactly.
  ScratchDir dir;
  auto d = testing::run_etch("deploy " + quote(kCnn) +
                                 " --train-data fashion-mnist:test:256 --eval-data fashion-mnist:test:200 "
                                 "--calib-samples 64 --sqnr-samples 0 -o out",
                             dir);
  ASSERT_EQ(d.exit_code, 0) << d.err;
  auto v = testing::run_etch("validate out/model.int8.onnx --float-model " + quote(kCnn) +
                                 " --data fashion-mnist:test:200 --target edge --executors float,int,npu "
                                 "--sqnr-samples 32 --report-dir rep",
                             dir);
  ASSERT_EQ(v.exit_code, 0) << v.err;
  const nlohmann::json dep = nlohmann::json::parse(testing::slurp(dir.path() / "out/report.json"));
  const nlohmann::json val = nlohmann::json::parse(testing::slurp(dir.path() / "rep/report.json"));
  ASSERT_EQ(val["executors"].size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(val["executors"][i]["name"], dep["executors"][i]["name"]);
    EXPECT_EQ(val["executors"][i]["correct"], dep["executors"][i]["correct"]) << i;
  }
  EXPECT_EQ(val["executors"][1]["confusion"], val["executors"][2]["confusion"]);  // int == npu
  const auto& pair = val["agreement"][2];
  EXPECT_EQ(pair["a"], "int");
  EXPECT_EQ(pair["b"], "npu");
  EXPECT_EQ(pair["max_abs_logit_diff"].get<double>(), 0.0);
  EXPECT_GT(val["npu"]["cycles"].get<int64_t>(), 0);
  EXPECT_FALSE(val["sqnr"].empty());
  EXPECT_NE(v.out.find("int vs npu: 100.00% same top-1 (200/200)"), std::string::npos) << v.out;
}

}  // namespace
}  // namespace etch
