// The generated vector unit's REQUANT lanes (edge: 16), simulated with
// iverilog: each cycle one channel's group of accumulators with that
// channel's parameters and a lane-enable mask, against runtime::requantize
// per lane (random vectors, fixed seed).
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "etch/npu/target.h"
#include "etch/rtl/generate.h"
#include "etch/runtime/requantize.h"
#include "rtl_test_util.h"

namespace etch::rtl {
namespace {

struct Group {
  uint32_t enable = 0;
  std::vector<int32_t> acc;
  int32_t bias = 0, mult = 0;
  int shift = 0;
  int32_t zp = 0, lo = 0, hi = 0;
};

TEST(RtlVectorRequant, LanesMatchTheReference) {
  ASSERT_TRUE(testing::tool_installed("iverilog")) << "iverilog is not installed (scripts/setup.sh installs it)";
  ASSERT_TRUE(testing::tool_installed("vvp")) << "vvp (iverilog's runtime) is not installed";
  const npu::Target t = npu::preset("edge");
  const int lanes = t.vector_lanes;
  ASSERT_LE(lanes, 32);  // the enable mask is one uint32 here
  std::mt19937 rng(99);
  std::uniform_int_distribution<int32_t> acc(-(1 << 18), 1 << 18), bias(-(1 << 16), 1 << 16);
  std::uniform_int_distribution<int32_t> mult(1 << 30, std::numeric_limits<int32_t>::max()), i8(-128, 127);
  std::uniform_int_distribution<int> shift(-20, 1), width(1, lanes);
  std::vector<Group> groups(300);
  for (Group& g : groups) {
    const int used = width(rng);  // the last group of a row may be partial
    g.enable = used == 32 ? ~0u : (1u << used) - 1;
    for (int l = 0; l < lanes; ++l) g.acc.push_back(acc(rng));
    g.bias = bias(rng);
    g.mult = mult(rng);
    g.shift = shift(rng);
    g.zp = i8(rng);
    g.lo = i8(rng);
    g.hi = i8(rng);
    if (g.lo > g.hi) std::swap(g.lo, g.hi);
  }
  testing::ScratchDir dir;
  write_rtl(generate_rtl(t), dir.str());
  {
    std::ofstream f(dir / "vectors.txt");
    char b[16];
    for (const Group& g : groups) {
      std::snprintf(b, sizeof b, "%x ", g.enable);
      f << b;
      for (int l = lanes; l-- > 0;) {
        std::snprintf(b, sizeof b, "%08x", static_cast<uint32_t>(g.acc[l]));
        f << b;
      }
      char tail[64];
      std::snprintf(tail, sizeof tail, " %08x %08x %02x %02x %02x %02x\n", static_cast<uint32_t>(g.bias),
                    static_cast<uint32_t>(g.mult), g.shift & 0xff, g.zp & 0xff, g.lo & 0xff, g.hi & 0xff);
      f << tail;
    }
  }
  const testing::ToolRun sim =
      testing::simulate_iverilog(dir.str(), "vector_requant_tb",
                                 "etch_mbqm.sv etch_output_stage.sv etch_requantizer.sv etch_vector_requant.sv " +
                                     testing::quoted_testbench("vector_requant_tb"),
                                 {{"LANES", lanes}});
  ASSERT_EQ(sim.exit_code, 0) << sim.output;

  std::ifstream results(dir / "results.txt");
  std::string enable, y;
  size_t i = 0;
  for (; results >> enable >> y; ++i) {
    ASSERT_LT(i, groups.size());
    const Group& g = groups[i];
    EXPECT_EQ(std::stoul(enable, nullptr, 16), g.enable) << "group " << i;
    ASSERT_EQ(y.size(), static_cast<size_t>(lanes) * 2);
    for (int l = 0; l < lanes; ++l) {
      if (!(g.enable >> l & 1)) continue;
      const int32_t got = static_cast<int8_t>(std::stoul(y.substr((lanes - 1 - l) * 2, 2), nullptr, 16));
      const int32_t want =
          runtime::requantize(g.acc[l] + g.bias, runtime::QuantizedMultiplier{g.mult, g.shift}, g.zp, g.lo, g.hi);
      ASSERT_EQ(got, want) << "group " << i << " lane " << l;
    }
  }
  EXPECT_EQ(i, groups.size()) << sim.output;
}

}  // namespace
}  // namespace etch::rtl
