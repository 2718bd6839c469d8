// The generated weight-stationary array, simulated with iverilog: two
// PRELOAD + MATMUL tiles with random int8 weights and inputs (fixed seed),
// the second tile's weights shifted in while the first streams and its
// MATMUL issued back to back, checked against the dot products the ISA
// defines (docs/npu-isa.md) and the fill/drain latency rows + cols - 1.
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

struct Tile {
  int m = 0, k = 0, n = 0;
  std::vector<int8_t> w;  // [m][k]
  std::vector<int8_t> x;  // [k][n]
};

Tile random_tile(int m, int k, int n, std::mt19937& rng) {
  std::uniform_int_distribution<int> i8(-128, 127);
  Tile t{m, k, n, std::vector<int8_t>(m * k), std::vector<int8_t>(k * n)};
  for (auto& v : t.w) v = static_cast<int8_t>(i8(rng));
  for (auto& v : t.x) v = static_cast<int8_t>(i8(rng));
  return t;
}

// One stimulus line per cycle.
struct Cycle {
  bool preload = false, x_valid = false, swap = false;
  std::vector<int8_t> w, x;  // cols weights, rows inputs
};

// Hex of `v` as one vector with element 0 in the low bits.
std::string hex(const std::vector<int8_t>& v) { return testing::hex_low_first(v.data(), v.size()); }

void run_array(const npu::Target& target, uint32_t seed) {
  ASSERT_TRUE(testing::tool_installed("iverilog")) << "iverilog is not installed (scripts/setup.sh installs it)";
  ASSERT_TRUE(testing::tool_installed("vvp")) << "vvp (iverilog's runtime) is not installed";
  const int rows = target.rows, cols = target.cols;
  std::mt19937 rng(seed);
  const Tile a = random_tile(cols, rows, rows + cols + rows + 7, rng);               // full array
  const Tile b = random_tile(std::max(1, cols - 1), std::max(1, rows / 2), 9, rng);  // a partial tile
  std::vector<Cycle> cyc;
  auto at = [&](size_t t) -> Cycle& {
    if (cyc.size() <= t)
      cyc.resize(t + 1, Cycle{false, false, false, std::vector<int8_t>(cols, 0), std::vector<int8_t>(rows, 0)});
    return cyc[t];
  };
  // PRELOAD: reduction row j enters at shift k-1-j, so it ends in array row j.
  auto preload = [&](const Tile& t, size_t start) {
    for (int s = 0; s < t.k; ++s) {
      Cycle& c = at(start + s);
      c.preload = true;
      for (int i = 0; i < t.m; ++i) c.w[i] = t.w[i * t.k + (t.k - 1 - s)];
    }
  };
  auto matmul = [&](const Tile& t, size_t start) {
    for (int p = 0; p < t.n; ++p) {
      Cycle& c = at(start + p);
      c.x_valid = true;
      c.swap = p == 0;
      for (int j = 0; j < t.k; ++j) c.x[j] = t.x[j * t.n + p];
    }
  };
  preload(a, 0);
  const size_t a_start = a.k;
  matmul(a, a_start);
  // The next PRELOAD may start once a's swap has crossed the array.
  preload(b, a_start + rows + cols);
  const size_t b_start = a_start + a.n;  // back to back
  ASSERT_LE(a_start + rows + cols + b.k, b_start);
  matmul(b, b_start);
  at(b_start + b.n + rows + cols);  // idle cycles to drain

  // Expected: every pixel of a, then of b, in order; columns past m are 0.
  std::vector<std::vector<int32_t>> want;
  std::vector<size_t> issued;
  for (const auto& [t, start] : {std::pair<const Tile*, size_t>{&a, a_start}, {&b, b_start}})
    for (int p = 0; p < t->n; ++p) {
      std::vector<int32_t> col(cols, 0);
      for (int i = 0; i < t->m; ++i)
        for (int j = 0; j < t->k; ++j) col[i] += int32_t{t->w[i * t->k + j]} * t->x[j * t->n + p];
      want.push_back(col);
      issued.push_back(start + p);
    }

  testing::ScratchDir dir;
  write_rtl(generate_rtl(target), dir.str());
  {
    std::ofstream f(dir / "stimulus.txt");
    for (const Cycle& c : cyc)
      f << c.preload << ' ' << hex(c.w) << ' ' << c.x_valid << ' ' << c.swap << ' ' << hex(c.x) << '\n';
  }
  const testing::ToolRun sim = testing::simulate_iverilog(
      dir.str(), "systolic_array_tb",
      "etch_delay.sv etch_mac_pe.sv etch_systolic_array.sv " + testing::quoted_testbench("systolic_array_tb"),
      {{"ROWS", rows}, {"COLS", cols}});
  ASSERT_EQ(sim.exit_code, 0) << sim.output;

  std::ifstream results(dir / "results.txt");
  size_t cycle = 0, i = 0;
  std::string psum;
  for (; results >> cycle >> psum; ++i) {
    ASSERT_LT(i, want.size()) << "more outputs than pixels";
    ASSERT_EQ(psum.size(), static_cast<size_t>(cols) * 8);
    // Line L's inputs are clocked in at edge L+1 and leave rows + cols - 1 edges later.
    EXPECT_EQ(cycle - issued[i], static_cast<size_t>(rows + cols - 1)) << "pixel " << i;
    for (int c = 0; c < cols; ++c) {
      const std::string word = psum.substr((cols - 1 - c) * 8, 8);
      const int32_t got = static_cast<int32_t>(std::stoul(word, nullptr, 16));
      ASSERT_EQ(got, want[i][c]) << "pixel " << i << " column " << c;
    }
  }
  EXPECT_EQ(i, want.size()) << sim.output;
}

TEST(RtlSystolicArray, EdgeArrayComputesTheIsaDotProducts) { run_array(npu::preset("edge"), 7); }

TEST(RtlSystolicArray, NonSquareArray) {
  npu::Target t = npu::preset("edge");
  t.rows = 5;
  t.cols = 3;
  t.weight_buffer_bytes = 3 * 2 * 100;
  t.accumulator_buffer_bytes = 12 * 2 * 10;
  run_array(t, 11);
}

}  // namespace
}  // namespace etch::rtl
