// The generated POOL lane, simulated with iverilog, against POOL as
// docs/npu-isa.md defines it and the simulator computes it: windows of 1 to
// 40 elements, some of them outside the valid rectangle (and some windows
// entirely outside), max and average, random zero points, multipliers and
// shifts (fixed seed), streamed back to back, bit for bit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <limits>
#include <random>
#include <vector>

#include "etch/npu/target.h"
#include "etch/rtl/generate.h"
#include "etch/runtime/requantize.h"
#include "rtl_test_util.h"

namespace etch::rtl {
namespace {

struct PoolWindow {
  bool avg;
  int32_t x_zp, mult, shift, y_zp, lo, hi;
  std::vector<int32_t> x;
  std::vector<bool> in_image;
};

// POOL's arithmetic for one output (docs/npu-isa.md): the maximum of the
// elements in the image from -128, or their sum of x - x_zp requantized.
int32_t reference(const PoolWindow& w) {
  int32_t v = w.avg ? 0 : -128;
  for (size_t i = 0; i < w.x.size(); ++i)
    if (w.in_image[i]) v = w.avg ? v + (w.x[i] - w.x_zp) : std::max(v, w.x[i]);
  return w.avg ? runtime::requantize(v, {w.mult, w.shift}, w.y_zp, w.lo, w.hi) : v;
}

TEST(RtlPoolLane, MatchesPoolMaxAndAverageOverPartialWindows) {
  ASSERT_TRUE(testing::tool_installed("iverilog")) << "iverilog is not installed (scripts/setup.sh installs it)";
  ASSERT_TRUE(testing::tool_installed("vvp")) << "vvp (iverilog's runtime) is not installed";
  std::mt19937 rng(41);
  std::uniform_int_distribution<int32_t> i8(-128, 127), mult(1 << 30, std::numeric_limits<int32_t>::max());
  std::uniform_int_distribution<int32_t> shift(-31, 0), size(1, 40), coin(0, 1), tenth(0, 9);
  std::vector<PoolWindow> windows;
  for (int i = 0; i < 1500; ++i) {
    PoolWindow w{coin(rng) == 1, i8(rng), mult(rng), shift(rng), i8(rng), i8(rng), i8(rng), {}, {}};
    if (w.lo > w.hi) std::swap(w.lo, w.hi);
    const bool all_outside = tenth(rng) == 0;
    for (int k = size(rng); k > 0; --k) {
      w.x.push_back(i8(rng));
      w.in_image.push_back(!all_outside && tenth(rng) > 1);
    }
    windows.push_back(std::move(w));
  }
  // One full 255-element window of the largest |x - x_zp|: the sum's extreme.
  windows.push_back({true, 127, std::numeric_limits<int32_t>::max(), -16, 0, -128, 127, std::vector<int32_t>(255, -128),
                     std::vector<bool>(255, true)});
  testing::ScratchDir dir;
  write_rtl(generate_rtl(npu::preset("edge")), dir.str());
  {
    std::ofstream f(dir / "vectors.txt");
    char line[96];
    for (const PoolWindow& w : windows)
      for (size_t k = 0; k < w.x.size(); ++k) {
        std::snprintf(line, sizeof line, "%x %x %x %x %02x %02x %08x %02x %02x %02x %02x\n", k == 0,
                      k + 1 == w.x.size(), static_cast<int>(w.in_image[k]), static_cast<int>(w.avg), w.x[k] & 0xff,
                      w.x_zp & 0xff, static_cast<uint32_t>(w.mult), w.shift & 0xff, w.y_zp & 0xff, w.lo & 0xff,
                      w.hi & 0xff);
        f << line;
      }
  }
  const std::vector<int32_t> got = testing::run_lane_testbench(dir.str(), "etch_pool_lane");
  ASSERT_EQ(got.size(), windows.size());
  for (size_t i = 0; i < windows.size(); ++i)
    ASSERT_EQ(got[i], reference(windows[i])) << "window " << i << (windows[i].avg ? " (avg)" : " (max)");
}

}  // namespace
}  // namespace etch::rtl
