// The generated lookup table, simulated with iverilog, against LUT as
// docs/npu-isa.md defines it (y = table[x + 128]): the table written from
// weight-buffer words at unaligned entry offsets with byte strobes (as a
// table at any byte address is read), rewritten in part between lookups, and
// every lane's result compared with a model of the table, on edge's shape
// (16 lanes, 16-byte words) and on 5 lanes with 12-byte words.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "etch/npu/target.h"
#include "etch/rtl/generate.h"
#include "rtl_test_util.h"

namespace etch::rtl {
namespace {

void check_lut(int lanes, int load_bytes, unsigned seed) {
  ASSERT_TRUE(testing::tool_installed("iverilog")) << "iverilog is not installed (scripts/setup.sh installs it)";
  ASSERT_TRUE(testing::tool_installed("vvp")) << "vvp (iverilog's runtime) is not installed";
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255), pct(0, 99);
  std::array<uint8_t, 256> table{};
  std::array<bool, 256> written{};
  std::vector<std::vector<uint8_t>> expected;  // per lookup, per lane
  testing::ScratchDir dir;
  write_rtl(generate_rtl(npu::preset("edge")), dir.str());
  std::ofstream f(dir / "vectors.txt");
  // The operands a line does not use, as zero hex digits.
  const std::string no_x(2 * lanes, '0'), no_load(2 * load_bytes, '0');
  // A table at a random byte offset in the word: the whole 256 entries, then
  // random partial rewrites (a fused op's table replacing the last one).
  auto load = [&](int first_entry, int count) {
    const int misalign = byte(rng) % load_bytes;
    for (int w = 0; w * load_bytes < misalign + count; ++w) {
      std::vector<uint8_t> data(load_bytes);
      uint64_t strb_bits = 0;  // load_bytes <= 64 here
      const int index = (first_entry - misalign + w * load_bytes) & 255;
      for (int j = 0; j < load_bytes; ++j) {
        data[j] = static_cast<uint8_t>(byte(rng));
        const int entry_pos = w * load_bytes + j - misalign;  // position inside this load
        if (entry_pos >= 0 && entry_pos < count) {
          strb_bits |= uint64_t{1} << j;
          table[(index + j) & 255] = data[j];
          written[(index + j) & 255] = true;
        }
      }
      char head[32];
      std::snprintf(head, sizeof head, "0 %02x %llx ", index, static_cast<unsigned long long>(strb_bits));
      f << head << testing::hex_low_first(data.data(), load_bytes) << " " << no_x << "\n";
    }
  };
  auto lookup = [&] {
    std::vector<uint8_t> x(lanes), y(lanes);
    for (int i = 0; i < lanes; ++i) {
      x[i] = static_cast<uint8_t>(byte(rng));
      y[i] = table[static_cast<uint8_t>(x[i] ^ 0x80)];  // int8 x + 128
    }
    f << "1 00 0 " << no_load << " " << testing::hex_low_first(x.data(), lanes) << "\n";
    expected.push_back(y);
  };
  load(0, 256);
  for (int e = 0; e < 256; ++e) ASSERT_TRUE(written[e]) << "entry " << e << " never loaded";
  for (int phase = 0; phase < 40; ++phase) {
    for (int k = pct(rng) % 30; k >= 0; --k) lookup();
    if (pct(rng) < 70) load(byte(rng), 1 + byte(rng) % 80);
  }
  f.close();
  const testing::ToolRun sim =
      testing::simulate_iverilog(dir.str(), "lut_tb", "etch_lut.sv " + testing::quoted_testbench("lut_tb"),
                                 {{"LANES", lanes}, {"LOAD_BYTES", load_bytes}});
  ASSERT_EQ(sim.exit_code, 0) << sim.output;
  std::ifstream results(dir / "results.txt");
  std::string hex;
  size_t n = 0;
  for (; results >> hex; ++n) {
    ASSERT_LT(n, expected.size());
    ASSERT_EQ(hex.size(), 2u * lanes) << "lookup " << n << ": " << hex;
    EXPECT_EQ(hex, testing::hex_low_first(expected[n].data(), lanes)) << "lookup " << n;
  }
  EXPECT_EQ(n, expected.size()) << sim.output;
}

TEST(RtlLut, EdgeShape) { check_lut(16, 16, 43); }
TEST(RtlLut, FiveLanesTwelveByteWords) { check_lut(5, 12, 47); }

}  // namespace
}  // namespace etch::rtl
