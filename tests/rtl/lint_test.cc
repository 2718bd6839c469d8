// `verilator --lint-only -Wall` is clean on the generated RTL of every preset
// and of a degenerate 1x1 target, for each module that is a top of its own
// (the submodules are linted through them).
//
// One exception keeps the suite fast: datacenter's 256 x 256 array takes
// Verilator minutes and gigabytes to elaborate (65,536 PEs), so its generated
// file is linted twice with one dimension at full size and the other at 2
// (256 x 2 and 2 x 256): the same text, with the full-length skew and deskew
// chains, whose length is what once tripped Verilator (a loop it does not
// unroll past 64). docs/rtl.md records the full-size lint.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "etch/npu/target.h"
#include "etch/rtl/generate.h"
#include "rtl_test_util.h"

namespace etch::rtl {
namespace {

const char* const kTops[] = {
    "etch_vector_requant",     "etch_add_lane",     "etch_mul_lane",       "etch_pool_lane",    "etch_lut",
    "etch_instr_decoder",      "etch_token_queues", "etch_systolic_array", "etch_input_buffer", "etch_weight_buffer",
    "etch_accumulator_buffer", "etch_dma"};

void lint(const npu::Target& t) {
  ASSERT_TRUE(testing::tool_installed("verilator")) << "verilator is not installed (scripts/setup.sh installs it)";
  testing::ScratchDir dir;
  const RtlDesign d = generate_rtl(t);
  write_rtl(d, dir.str());
  for (const std::string top : kTops) {
    std::vector<std::string> overrides = {""};
    if (top == "etch_systolic_array" && int64_t{t.rows} * t.cols > 64 * 64)
      overrides = {" -GROWS=" + std::to_string(t.rows) + " -GCOLS=2", " -GROWS=2 -GCOLS=" + std::to_string(t.cols)};
    for (const std::string& o : overrides) {
      std::string command = "verilator --lint-only -Wall --top-module ";
      command += top;
      command += o;
      command += testing::sv_list(d);
      const testing::ToolRun r = testing::run_tool(dir.str(), command);
      EXPECT_EQ(r.exit_code, 0) << t.name << " " << top << o << ":\n" << r.output;
      EXPECT_EQ(r.output.find("%Warning"), std::string::npos) << t.name << " " << top << o << ":\n" << r.output;
    }
  }
}

TEST(RtlLint, Edge) { lint(npu::preset("edge")); }
TEST(RtlLint, Mobile) { lint(npu::preset("mobile")); }
TEST(RtlLint, Datacenter) { lint(npu::preset("datacenter")); }

TEST(RtlLint, OneByOneArrayOneLane) {
  npu::Target t = npu::preset("edge");
  t.name = "tiny";
  t.rows = 1;
  t.cols = 1;
  t.vector_lanes = 1;
  t.input_buffer_bytes = 2;
  t.weight_buffer_bytes = 2;
  t.accumulator_buffer_bytes = 8;
  lint(t);
}

}  // namespace
}  // namespace etch::rtl
