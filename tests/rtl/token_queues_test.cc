// The generated token queues, simulated with iverilog, against the ISA's
// rule (docs/npu-isa.md): four counters between neighbouring engines; an
// instruction may start when every token it pops is there, takes them when
// it starts, and gives its pushes when it is done. Random traffic (fixed
// seed); a second run with 2-bit counters checks the overflow flag.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "etch/npu/isa.h"
#include "etch/npu/target.h"
#include "etch/rtl/generate.h"
#include "rtl_test_util.h"

namespace etch::rtl {
namespace {

// Queues in the RTL's order.
constexpr int kL2C = 0, kC2L = 1, kC2S = 2, kS2C = 3;
constexpr int kLoad = 0, kCompute = 1, kStore = 2;

struct CycleIn {
  std::array<uint8_t, 3> want{}, done_flags{};
  std::array<bool, 3> start{}, done{};
};

// The queue engine e pops with pop_prev (prev = true) or pop_next, -1 if none.
int pop_queue(int e, bool prev) {
  if (e == kLoad) return prev ? -1 : kC2L;
  if (e == kCompute) return prev ? kL2C : kS2C;
  return prev ? kC2S : -1;
}
int push_queue(int e, bool prev) {
  if (e == kLoad) return prev ? -1 : kL2C;
  if (e == kCompute) return prev ? kC2L : kC2S;
  return prev ? kS2C : -1;
}

void run(int bits, int cycles, int push_bias, uint32_t seed) {
  ASSERT_TRUE(testing::tool_installed("iverilog")) << "iverilog is not installed (scripts/setup.sh installs it)";
  ASSERT_TRUE(testing::tool_installed("vvp")) << "vvp (iverilog's runtime) is not installed";
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> flags(0, 15), pct(0, 99);
  std::vector<CycleIn> in(cycles);
  for (CycleIn& c : in)
    for (int e = 0; e < 3; ++e) {
      c.want[e] = static_cast<uint8_t>(flags(rng));
      c.start[e] = pct(rng) < 60;  // only takes effect when ready
      c.done_flags[e] = static_cast<uint8_t>(flags(rng));
      c.done[e] = pct(rng) < push_bias;
    }
  // The model: unbounded counters, saturated at the RTL's width with a sticky flag.
  const int64_t full = (int64_t{1} << bits) - 1;
  std::array<int64_t, 4> n{};
  bool overflow = false;
  std::vector<std::string> want_lines;
  char buf[64];
  for (const CycleIn& c : in) {
    std::array<bool, 3> ready{};
    std::array<int, 4> pop{}, push{};
    for (int e = 0; e < 3; ++e) {
      ready[e] = true;
      for (bool prev : {true, false}) {
        const int q = pop_queue(e, prev);
        if (q >= 0 && (c.want[e] & (prev ? npu::kPopPrev : npu::kPopNext)) && n[q] == 0) ready[e] = false;
      }
      for (bool prev : {true, false}) {
        const int pq = pop_queue(e, prev), sq = push_queue(e, prev);
        if (pq >= 0 && c.start[e] && ready[e] && (c.want[e] & (prev ? npu::kPopPrev : npu::kPopNext))) pop[pq] = 1;
        if (sq >= 0 && c.done[e] && (c.done_flags[e] & (prev ? npu::kPushPrev : npu::kPushNext))) push[sq] = 1;
      }
    }
    for (int q = 0; q < 4; ++q) {
      if (push[q] && !pop[q]) {
        if (n[q] == full)
          overflow = true;
        else
          ++n[q];
      } else if (pop[q] && !push[q]) {
        --n[q];
      }
    }
    std::string line;
    std::snprintf(buf, sizeof buf, "%x ", ready[0] | ready[1] << 1 | ready[2] << 2);
    line += buf;
    const int digits = (4 * bits + 3) / 4;
    std::string count(digits, '0');
    for (int q = 0; q < 4; ++q)
      for (int b = 0; b < bits; ++b)
        if (n[q] >> b & 1) {
          const int bit = q * bits + b;
          const int d = digits - 1 - bit / 4;
          const int v = (count[d] >= 'a' ? count[d] - 'a' + 10 : count[d] - '0') | 1 << (bit % 4);
          count[d] = static_cast<char>(v < 10 ? '0' + v : 'a' + v - 10);
        }
    want_lines.push_back(line + count + (overflow ? " 1" : " 0"));
  }
  testing::ScratchDir dir;
  write_rtl(generate_rtl(npu::preset("edge")), dir.str());
  {
    std::ofstream f(dir / "stimulus.txt");
    for (const CycleIn& c : in) {
      std::snprintf(buf, sizeof buf, "%x %x %x %x\n", c.want[0] | c.want[1] << 4 | c.want[2] << 8,
                    c.start[0] | c.start[1] << 1 | c.start[2] << 2,
                    c.done_flags[0] | c.done_flags[1] << 4 | c.done_flags[2] << 8,
                    c.done[0] | c.done[1] << 1 | c.done[2] << 2);
      f << buf;
    }
  }
  const testing::ToolRun sim = testing::simulate_iverilog(
      dir.str(), "token_queues_tb", "etch_token_queues.sv " + testing::quoted_testbench("token_queues_tb"),
      {{"BITS", bits}});
  ASSERT_EQ(sim.exit_code, 0) << sim.output;
  std::ifstream results(dir / "results.txt");
  std::string line;
  size_t i = 0;
  for (; std::getline(results, line); ++i) {
    ASSERT_LT(i, want_lines.size());
    ASSERT_EQ(line, want_lines[i]) << "cycle " << i;
  }
  EXPECT_EQ(i, want_lines.size()) << sim.output;
  EXPECT_EQ(want_lines.back().back() == '1', bits <= 2) << "overflow " << (bits <= 2 ? "not reached" : "reached");
}

TEST(RtlTokenQueues, CountersFollowTheIsaRule) { run(16, 2000, 30, 17); }
TEST(RtlTokenQueues, NarrowCountersFlagOverflow) { run(2, 400, 90, 23); }

}  // namespace
}  // namespace etch::rtl
