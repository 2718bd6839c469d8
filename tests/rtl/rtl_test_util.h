// Shared by the tests/rtl suites: a scratch folder for generated RTL and
// simulator runs, and running an external tool (verilator, iverilog, vvp)
// with its output captured. A missing tool fails the test: the RTL checks are
// part of the suite, not optional (scripts/setup.sh installs the tools).
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cli/etch_process.h"
#include "etch/rtl/generate.h"

namespace etch::rtl::testing {

// The CLI tests' scratch folder (tests/cli/etch_process.h), with the path as
// a string for tool command lines.
class ScratchDir : public etch::testing::ScratchDir {
 public:
  std::string str() const { return path().string(); }
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

// `n` bytes as one hex number with byte 0 in the low bits: how the
// testbenches print and read a word or vector (`%h`).
inline std::string hex_low_first(const void* bytes, size_t n) {
  const auto* b = static_cast<const uint8_t*>(bytes);
  static const char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(2 * n);
  for (size_t i = n; i-- > 0;) {
    s += kDigits[b[i] >> 4];
    s += kDigits[b[i] & 15];
  }
  return s;
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

// (One literal, then appended: GCC 12 reports a false -Warray-bounds on
// std::string(literal) + "..." when the standard headers are precompiled.)
inline std::string testbench(const std::string& name) {
  std::string path = ETCH_SOURCE_DIR "/tests/rtl/tb/";
  return path += name;
}
// tests/rtl/tb/<top>.sv, quoted for a shell command line.
// (Appended piecewise: GCC 12 at -O3 reports a false -Wrestrict on "'" + std::string.)
inline std::string quoted_testbench(const std::string& top) {
  std::string q(1, '\'');
  q += testbench(top + ".sv");
  q += '\'';
  return q;
}

// Builds `top` from `sources` with iverilog (parameters of `top` overridden by
// `params`) and runs it with vvp in `dir`: the failing build's run, or the
// simulation's.
inline ToolRun simulate_iverilog(const std::string& dir, const std::string& top, const std::string& sources,
                                 const std::vector<std::pair<std::string, int64_t>>& params = {}) {
  std::string build = "iverilog -g2012 -o tb.vvp -s " + top;
  for (const auto& [name, value] : params) build += " -P" + top + "." + name + "=" + std::to_string(value);
  const ToolRun b = run_tool(dir, build + " " + sources);
  if (b.exit_code != 0) return b;
  return run_tool(dir, "vvp -n tb.vvp");
}

// Runs the testbench tests/rtl/tb/<lane minus "etch_">_tb.sv on the
// generated `lane` (an int8 lane ending in etch_output_stage, with etch_mbqm)
// in `dir`, where the test wrote vectors.txt, and returns the int8 results
// it wrote, one hex byte per line, sign extended. A failed build or run, or
// a line that is not one hex byte (an `x` from an undriven output), fails the
// test and ends the list there.
inline std::vector<int32_t> run_lane_testbench(const std::string& dir, const std::string& lane) {
  const std::string tb = lane.substr(lane.find('_') + 1) + "_tb";
  const ToolRun sim =
      simulate_iverilog(dir, tb, "etch_mbqm.sv etch_output_stage.sv " + lane + ".sv " + quoted_testbench(tb));
  std::vector<int32_t> v;
  if (sim.exit_code != 0) {
    ADD_FAILURE() << tb << " failed:\n" << sim.output;
    return v;
  }
  std::ifstream in(std::filesystem::path(dir) / "results.txt");
  std::string hex;
  while (in >> hex) {
    if (hex.size() != 2 || hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
      ADD_FAILURE() << tb << " result " << v.size() << " is not one hex byte: " << hex;
      break;
    }
    v.push_back(static_cast<int8_t>(std::stoul(hex, nullptr, 16)));
  }
  return v;
}
}  // namespace etch::rtl::testing
