// etch deploy end to end on the committed CNN fixture, with small data subsets
// so each run takes seconds: files, cache reuse with identical reports,
// --force, and an interrupted run that resumes.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/etch_process.h"

namespace etch {
namespace {

namespace fs = std::filesystem;
using testing::quote;
using testing::ScratchDir;
using testing::source_path;

using testing::kCnn;
const std::string kSmall =
    " --train-data fashion-mnist:test:256 --eval-data fashion-mnist:test:200 --calib-samples 64 --sqnr-samples 32";

int count(const std::string& s, const std::string& what) {
  int n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

std::vector<std::string> temp_files(const fs::path& dir) {
  std::vector<std::string> found;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().filename().string().find(".tmp.") != std::string::npos) found.push_back(e.path().string());
  return found;
}

TEST(CliDeploy, WritesArtifactsAndReusesStagesWithIdenticalReports) {
  ScratchDir dir;
  auto first = testing::run_etch("deploy " + quote(kCnn) + kSmall + " --target edge -o out", dir);
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  for (const char* f : {"model.int8.onnx", "report.json", "report.html"})
    EXPECT_TRUE(fs::exists(dir.path() / "out" / f)) << f;
  const std::string report = testing::slurp(dir.path() / "out/report.json");
  const std::string html = testing::slurp(dir.path() / "out/report.html");
  nlohmann::json j = nlohmann::json::parse(report);
  EXPECT_EQ(j["executors"][0]["name"], "float");
  EXPECT_EQ(j["executors"][1]["name"], "int");
  EXPECT_EQ(j["images"], 200);
  // PTQ of this CNN keeps accuracy within a few images of float on 200 images.
  EXPECT_NEAR(j["executors"][1]["top1"].get<double>(), j["executors"][0]["top1"].get<double>(), 0.03);
  EXPECT_FALSE(j["sqnr"].empty());
  // import, prepare, quantize, validate, and compile + simulate when the NPU back end is built in.
  EXPECT_GE(count(first.out, " ran "), 4) << first.out;

  auto second = testing::run_etch("deploy " + quote(kCnn) + kSmall + " --target edge -o out", dir);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(count(second.out, " cached "), count(first.out, " ran ") - 2) << second.out;  // all but import/prepare
  EXPECT_EQ(testing::slurp(dir.path() / "out/report.json"), report);
  EXPECT_EQ(testing::slurp(dir.path() / "out/report.html"), html);

  // Another option changes the quantize key and everything after it, not the import.
  auto other = testing::run_etch("deploy " + quote(kCnn) + kSmall + " --calibrator minmax --target edge -o out", dir);
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_EQ(count(other.out, " cached "), 0) << other.out;

  auto forced = testing::run_etch("deploy " + quote(kCnn) + kSmall + " --target edge --force -o out", dir);
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(count(forced.out, " cached "), 0) << forced.out;
  EXPECT_EQ(testing::slurp(dir.path() / "out/report.json"), report);  // same bytes when recomputed
  EXPECT_TRUE(temp_files(dir.path()).empty());
}

TEST(CliDeploy, AnotherEtchBuildRecomputesEveryStage) {
  // A copy of the binary stands for a rebuilt etch: another file, so another
  // build identity, though the version string is the same.
  ScratchDir dir;
  const std::string cmd = "deploy " + quote(kCnn) + kSmall + " -o out";
  auto first = testing::run_etch(cmd, dir);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const fs::path copy = dir.path() / "etch-rebuilt";
  fs::copy_file(ETCH_BINARY, copy);
  auto rebuilt = testing::run_etch(cmd, dir, copy.string());
  ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.err;
  EXPECT_EQ(count(rebuilt.out, " cached "), 0) << rebuilt.out;
  auto again = testing::run_etch(cmd, dir, copy.string());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(count(again.out, " cached "), count(rebuilt.out, " ran ") - 2) << again.out;
}

TEST(CliDeploy, EditedArtifactIsRecomputed) {
  ScratchDir dir;
  ASSERT_EQ(testing::run_etch("deploy " + quote(kCnn) + kSmall + " -o out", dir).exit_code, 0);
  const std::string report = testing::slurp(dir.path() / "out/report.json");
  dir.write("out/report.json", "{}");
  auto again = testing::run_etch("deploy " + quote(kCnn) + kSmall + " -o out", dir);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("validate  ran"), std::string::npos) << again.out;
  EXPECT_EQ(testing::slurp(dir.path() / "out/report.json"), report);
}

TEST(CliDeploy, PruningWritesPrunedModelAndTable) {
  ScratchDir dir;
  auto r = testing::run_etch(
      "deploy " + quote(kCnn) + kSmall + " --prune magnitude:channel:0.25 --finetune-epochs 0 -o out", dir);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(fs::exists(dir.path() / "out/model.pruned.onnx"));
  nlohmann::json j = nlohmann::json::parse(testing::slurp(dir.path() / "out/report.json"));
  ASSERT_FALSE(j["pruning"].is_null());
  EXPECT_FALSE(j["pruning"]["rows"].empty());
  EXPECT_EQ(j["executors"][1]["name"], "pruned");
  // Sizes: float, pruned, int8 (+ NPU program); pruning makes the float model smaller.
  EXPECT_LT(j["sizes"][1]["params"].get<int64_t>(), j["sizes"][0]["params"].get<int64_t>());
  EXPECT_NE(testing::slurp(dir.path() / "out/report.html").find("<section id=\"pruning\""), std::string::npos);
}

// Starts `etch deploy`, sends SIGINT once the quantize stage has been recorded
// (compiling, simulating and validating 2 500 images follow and take a few
// seconds), and checks
// that nothing half-written is left and the next run resumes.
TEST(CliDeploy, InterruptedRunLeavesNoPartialFileAndResumes) {
  ScratchDir dir;
  const std::string args =
      " --train-data fashion-mnist:test:256 --eval-data fashion-mnist:test:2500 --calib-samples 64 "
      "--sqnr-samples 32 -o " +
      (dir / "out");
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string cmd = quote(ETCH_BINARY) + " deploy " + quote(kCnn) + args + " >" + quote(dir / "log1") + " 2>&1";
    ::execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const fs::path marker = dir.path() / "out/.etch-cache/quantize.json";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!fs::exists(marker) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(fs::exists(marker)) << testing::slurp(dir.path() / "log1");
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFSIGNALED(status))
    GTEST_SKIP() << "the run finished before the signal arrived: " << testing::slurp(dir.path() / "log1");
  EXPECT_EQ(WTERMSIG(status), SIGINT);
  EXPECT_TRUE(temp_files(dir.path()).empty());
  EXPECT_FALSE(fs::exists(dir.path() / "out/report.json"));  // validate had not finished
  EXPECT_TRUE(fs::exists(dir.path() / "out/model.int8.onnx"));

  auto resumed = testing::run_etch("deploy " + quote(kCnn) + args, dir);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("quantize  cached"), std::string::npos) << resumed.out;
  EXPECT_NE(resumed.out.find("validate  ran"), std::string::npos) << resumed.out;
  EXPECT_TRUE(fs::exists(dir.path() / "out/report.json"));
  EXPECT_TRUE(temp_files(dir.path()).empty());
}

}  // namespace
}  // namespace etch
