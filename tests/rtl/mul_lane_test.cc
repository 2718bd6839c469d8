// The generated MUL lane, simulated with iverilog, against ai.etch.QMul as
// docs/npu-isa.md defines it, evaluated with etch's reference requantization
// (runtime::requantize): random operands, zero points, multipliers and
// shifts (fixed seed), bit for bit.
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

struct MulVector {
  int32_t a, b, a_zp, b_zp, mult, shift, y_zp, lo, hi;
};

int32_t reference(const MulVector& v) {
  return runtime::requantize((v.a - v.a_zp) * (v.b - v.b_zp), {v.mult, v.shift}, v.y_zp, v.lo, v.hi);
}

TEST(RtlMulLane, MatchesQMulWithTheReferenceArithmetic) {
  ASSERT_TRUE(testing::tool_installed("iverilog")) << "iverilog is not installed (scripts/setup.sh installs it)";
  ASSERT_TRUE(testing::tool_installed("vvp")) << "vvp (iverilog's runtime) is not installed";
  std::mt19937 rng(37);
  std::uniform_int_distribution<int32_t> i8(-128, 127), mult(1 << 30, std::numeric_limits<int32_t>::max());
  // Mostly the right shifts the compiler emits; a tenth left shifts, which
  // saturate the 17-bit product's rescale at the top of the range.
  std::uniform_int_distribution<int32_t> right(-31, 0), any(-31, 30), tenth(0, 9);
  std::vector<MulVector> v;
  for (int i = 0; i < 4000; ++i) {
    MulVector x{i8(rng), i8(rng), i8(rng), i8(rng), mult(rng), tenth(rng) ? right(rng) : any(rng),
                i8(rng), i8(rng), i8(rng)};
    if (x.lo > x.hi) std::swap(x.lo, x.hi);
    v.push_back(x);
  }
  // The extremes of the product: (-128 - 127)·(-128 - 127) and (127 + 128)·(-128 - 127).
  v.push_back({-128, -128, 127, 127, std::numeric_limits<int32_t>::max(), -10, 0, -128, 127});
  v.push_back({127, -128, -128, 127, std::numeric_limits<int32_t>::max(), -9, 3, -128, 127});
  testing::ScratchDir dir;
  write_rtl(generate_rtl(npu::preset("edge")), dir.str());
  {
    std::ofstream f(dir / "vectors.txt");
    char line[96];
    for (const MulVector& x : v) {
      std::snprintf(line, sizeof line, "%02x %02x %02x %02x %08x %02x %02x %02x %02x\n", x.a & 0xff, x.b & 0xff,
                    x.a_zp & 0xff, x.b_zp & 0xff, static_cast<uint32_t>(x.mult), x.shift & 0xff, x.y_zp & 0xff,
                    x.lo & 0xff, x.hi & 0xff);
      f << line;
    }
  }
  const std::vector<int32_t> got = testing::run_lane_testbench(dir.str(), "etch_mul_lane");
  ASSERT_EQ(got.size(), v.size());
  for (size_t i = 0; i < v.size(); ++i) ASSERT_EQ(got[i], reference(v[i])) << "vector " << i;
}

}  // namespace
}  // namespace etch::rtl
