// The generated two-bank, two-port buffer, simulated with iverilog against a
// word-array model: byte-enable writes, read-before-write, both ports served
// in one cycle when they address different banks, port A winning (and
// b_conflict set) when they address the same one. Random traffic, fixed seed.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "etch/npu/target.h"
#include "etch/rtl/generate.h"
#include "rtl_test_util.h"

namespace etch::rtl {
namespace {

struct Access {
  bool en = false, we = false;
  uint32_t strobe = 0;
  int64_t addr = 0;
  std::vector<uint8_t> data;
};

std::string hex_bytes(const std::vector<uint8_t>& v) { return testing::hex_low_first(v.data(), v.size()); }

TEST(RtlSramBuffer, TwoPortsOverTwoBanksMatchAWordModel) {
  ASSERT_TRUE(testing::tool_installed("iverilog")) << "iverilog is not installed (scripts/setup.sh installs it)";
  ASSERT_TRUE(testing::tool_installed("vvp")) << "vvp (iverilog's runtime) is not installed";
  npu::Target t = npu::preset("edge");
  t.vector_lanes = 4;                 // 4-byte words
  t.input_buffer_bytes = 4 * 2 * 12;  // 12 words per bank: the bank boundary is not a power of two
  const RtlDesign d = generate_rtl(t);
  const SramGeometry& g = d.params.input;
  const int64_t words = g.depth * g.banks;
  const int wb = g.word_bytes;

  std::mt19937 rng(5);
  std::uniform_int_distribution<int64_t> addr(0, words - 1);
  std::uniform_int_distribution<int> byte(0, 255), coin(0, 9);
  auto random_access = [&](int64_t a) {
    Access x{coin(rng) < 8, coin(rng) < 5, static_cast<uint32_t>(byte(rng)) & ((1u << wb) - 1), a,
             std::vector<uint8_t>(wb)};
    for (auto& b : x.data) b = static_cast<uint8_t>(byte(rng));
    return x;
  };
  std::vector<std::pair<Access, Access>> cycles;
  // First fill every word through port A so later reads are defined.
  for (int64_t a = 0; a < words; ++a) {
    Access w{true, true, (1u << wb) - 1, a, std::vector<uint8_t>(wb)};
    for (auto& b : w.data) b = static_cast<uint8_t>(byte(rng));
    cycles.push_back({w, Access{false, false, 0, 0, std::vector<uint8_t>(wb, 0)}});
  }
  for (int i = 0; i < 600; ++i) {
    const Access a = random_access(addr(rng));
    // Port B mostly works in the other half, as double buffering arranges.
    const bool a_high = a.addr >= g.depth;
    const int64_t b_addr = coin(rng) < 8 ? (a_high ? 0 : g.depth) + addr(rng) % g.depth : addr(rng);
    cycles.push_back({a, random_access(b_addr)});
  }

  testing::ScratchDir dir;
  write_rtl(d, dir.str());
  {
    std::ofstream f(dir / "stimulus.txt");
    auto put = [&](const Access& x) {
      char h[16];
      std::snprintf(h, sizeof h, "%x %x %x %llx ", x.en, x.we, x.strobe, static_cast<unsigned long long>(x.addr));
      f << h << hex_bytes(x.data);
    };
    for (const auto& [a, b] : cycles) {
      put(a);
      f << ' ';
      put(b);
      f << '\n';
    }
  }
  const testing::ToolRun sim = testing::simulate_iverilog(
      dir.str(), "sram_buffer_tb",
      "etch_sram_bank.sv etch_input_buffer.sv " + testing::quoted_testbench("sram_buffer_tb"),
      {{"W", wb}, {"A", g.addr_bits}});
  ASSERT_EQ(sim.exit_code, 0) << sim.output;

  std::vector<std::vector<uint8_t>> mem(words, std::vector<uint8_t>(wb, 0));
  auto access = [&](const Access& x) {
    const std::string old = hex_bytes(mem[x.addr]);
    if (x.we)
      for (int b = 0; b < wb; ++b)
        if (x.strobe >> b & 1) mem[x.addr][b] = x.data[b];
    return old;
  };
  std::ifstream results(dir / "results.txt");
  std::string a_rdata, b_rdata, conflict;
  size_t i = 0, conflicts = 0;
  for (; results >> a_rdata >> b_rdata >> conflict; ++i) {
    ASSERT_LT(i, cycles.size());
    const auto& [a, b] = cycles[i];
    const bool same_bank = (a.addr >= g.depth) == (b.addr >= g.depth);
    const bool want_conflict = a.en && b.en && same_bank;
    ASSERT_EQ(conflict, want_conflict ? "1" : "0") << "cycle " << i;
    conflicts += want_conflict;
    if (a.en) {
      const std::string want = access(a);
      // The fill reads words never written yet.
      if (i >= static_cast<size_t>(words)) {
        EXPECT_EQ(a_rdata, want) << "cycle " << i << " port A, word " << a.addr;
      }
    }
    if (b.en && !want_conflict) {
      const std::string want = access(b);
      ASSERT_EQ(b_rdata, want) << "cycle " << i << " port B, word " << b.addr;
    }
  }
  EXPECT_EQ(i, cycles.size()) << sim.output;
  EXPECT_GT(conflicts, 0u);  // the random traffic exercised both cases
}

}  // namespace
}  // namespace etch::rtl
