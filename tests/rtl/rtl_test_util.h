// Shared by the tests/rtl suites: a scratch folder for generated RTL and
// simulator runs, and running an external tool (verilator, iverilog, vvp)
// with its output captured. A missing tool fails the test: the RTL checks are
// part of the suite, not optional (scripts/setup.sh installs the tools).
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "etch/rtl/generate.h"

namespace etch::rtl::testing {

class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("etch_rtl_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

struct ToolRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs `command` through the shell inside `dir`, capturing its output.
inline ToolRun run_tool(const std::string& dir, const std::string& command) {
  const std::string log = dir + "/tool_output.txt";
  const std::string full = "cd '" + dir + "' && " + command + " >'" + log + "' 2>&1";
  ToolRun r;
  const int status = std::system(full.c_str());
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream f(log);
  std::ostringstream ss;
  ss << f.rdbuf();
  r.output = ss.str();
  return r;
}

inline bool tool_installed(const std::string& tool) {
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

// The list of a design's .sv files, space-separated, for a command line.
inline std::string sv_list(const RtlDesign& d) {
  std::string s;
  for (const SvFile& f : d.files) {
    s += ' ';
    s += f.file_name();
  }
  return s;
}

inline std::string testbench(const std::string& name) { return std::string(ETCH_SOURCE_DIR) + "/tests/rtl/tb/" + name; }

}  // namespace etch::rtl::testing
