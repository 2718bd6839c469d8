// SIGINT while a temporary file is registered: the file is removed and the
// process still dies of SIGINT (so the shell sees an interrupted command).
#include "etch/eval/interrupt.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "etch/eval/stage_cache.h"

namespace etch::eval {
namespace {

namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("etch_interrupt_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

TEST(Interrupt, RegisteredTempFileIsRemovedOnSigint) {
  const fs::path dir = scratch("a");
  const fs::path tmp = dir / "model.npu.tmp.123", kept = dir / "other.txt";
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ScopedInterruptCleanup cleanup;
    std::ofstream(tmp) << "half";
    std::ofstream(kept) << "not registered";
    TempPathGuard guard(tmp.string());
    ::raise(SIGINT);
    ::_exit(0);  // not reached
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGINT);
  EXPECT_FALSE(fs::exists(tmp));
  EXPECT_TRUE(fs::exists(kept));
  fs::remove_all(dir);
}

TEST(Interrupt, GuardReleasedPathIsLeftAlone) {
  const fs::path dir = scratch("b");
  const fs::path done = dir / "report.json";
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ScopedInterruptCleanup cleanup;
    std::ofstream(done) << "{}";
    { TempPathGuard guard(done.string()); }  // released: e.g. renamed into place already
    ::raise(SIGINT);
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_TRUE(fs::exists(done));
  fs::remove_all(dir);
}

TEST(StageCache, ReusesOnlyMatchingKeyWithIntactArtifacts) {
  const fs::path dir = scratch("c");
  StageCache cache((dir / "out").string());
  EXPECT_FALSE(cache.lookup("quantize", "k1").has_value());
  cache.commit("quantize", "k1", {{"model.int8.onnx", "bytes"}}, {{"summary", "PTQ"}});
  auto info = cache.lookup("quantize", "k1");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ((*info)["summary"], "PTQ");
  EXPECT_FALSE(cache.lookup("quantize", "k2").has_value());  // other options
  std::ofstream(dir / "out/model.int8.onnx") << "edited";
  EXPECT_FALSE(cache.lookup("quantize", "k1").has_value());  // artifact changed by hand
  fs::remove(dir / "out/model.int8.onnx");
  EXPECT_FALSE(cache.lookup("quantize", "k1").has_value());  // artifact gone
  // Stale temporaries of an interrupted run are swept when the cache opens.
  std::ofstream(dir / "out/report.json.tmp.999") << "half";
  StageCache again((dir / "out").string());
  EXPECT_FALSE(fs::exists(dir / "out/report.json.tmp.999"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace etch::eval
