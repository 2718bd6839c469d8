// The generated requantizer, simulated with iverilog, against etch's integer
// reference (runtime::requantize: gemmlowp SRDHM + RoundingDivideByPOT, the
// 128-bit exact left shift, zero point, clamp) on edge cases and randomized
// vectors (fixed seed), bit for bit.
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

struct Vector {
  int32_t acc, bias, mult;
  int shift;
  int32_t zp, lo, hi;
};

int32_t reference(const Vector& v) {
  // The accumulator and bias add modulo 2^32, as the NPU's REQUANT does.
  const int32_t sum = static_cast<int32_t>(static_cast<uint32_t>(v.acc) + static_cast<uint32_t>(v.bias));
  return runtime::requantize(sum, runtime::QuantizedMultiplier{v.mult, v.shift}, v.zp, v.lo, v.hi);
}

std::vector<Vector> vectors() {
  constexpr int32_t kMin = std::numeric_limits<int32_t>::min(), kMax = std::numeric_limits<int32_t>::max();
  std::vector<Vector> v;
  // Edge cases: every shift from -31 to 30 with extreme and small values,
  // multipliers at the ends of [2^30, 2^31) and beyond, wrap-around sums,
  // zero points and ranges at the int8 limits.
  const int32_t accs[] = {0, 1, -1, 2, -2, 3, -3, 127, -128, 1 << 20, -(1 << 20), kMax, kMin, kMax - 5, kMin + 5};
  const int32_t mults[] = {1 << 30, kMax, (1 << 30) + 12345, 0, 1, kMin, -(1 << 30)};
  for (int shift = -31; shift <= 30; ++shift)
    for (int32_t acc : accs)
      for (int32_t mult : mults) v.push_back({acc, 0, mult, shift, 0, -128, 127});
  v.push_back({kMin, 0, kMin, 0, 0, -128, 127});  // SRDHM's one saturating case
  v.push_back({kMin, 0, kMin, 0, 5, -128, 127});
  v.push_back({kMax, 1, 1 << 30, -1, 0, -128, 127});    // acc + bias wraps to INT32_MIN
  v.push_back({kMin, -1, 1 << 30, -1, 0, -128, 127});   // and to INT32_MAX
  v.push_back({100, 0, 1 << 30, 0, 127, -128, 127});    // zero point pushes past the top
  v.push_back({-100, 0, 1 << 30, 0, -128, -128, 127});  // and past the bottom
  v.push_back({1000, 0, 1 << 30, -4, -5, -5, 127});     // fused ReLU range [zp, 127]
  v.push_back({-1000, 0, 1 << 30, -4, -5, -5, 127});
  v.push_back({12345, 0, 1 << 30, -7, 3, 10, 10});  // act_min == act_max
  // Half-way cases of RoundingDivideByPOT: x = +-(2k+1) * 2^(e-1).
  for (int e = 1; e <= 31; ++e)
    for (int sign : {1, -1}) {
      const int64_t x = sign * (int64_t{3} << (e - 1));
      if (x >= kMin && x <= kMax) v.push_back({static_cast<int32_t>(x), 0, kMax, -e, 0, -128, 127});
    }
  // Randomized: accumulators of realistic and full range, multipliers as
  // quantize_multiplier makes them, shifts over the whole valid range.
  std::mt19937 rng(2112);
  std::uniform_int_distribution<int32_t> any(kMin, kMax), small(-(1 << 16), 1 << 16), bias(-(1 << 20), 1 << 20);
  std::uniform_int_distribution<int32_t> mult(1 << 30, kMax), i8(-128, 127);
  std::uniform_int_distribution<int> shift(-31, 30), realistic_shift(-20, 2), coin(0, 3);
  for (int i = 0; i < 6000; ++i) {
    Vector r;
    r.acc = coin(rng) == 0 ? any(rng) : small(rng);
    r.bias = coin(rng) == 0 ? any(rng) : bias(rng);
    r.mult = mult(rng);
    r.shift = coin(rng) == 0 ? shift(rng) : realistic_shift(rng);
    r.zp = i8(rng);
    r.lo = i8(rng);
    r.hi = i8(rng);
    if (r.lo > r.hi) std::swap(r.lo, r.hi);
    v.push_back(r);
  }
  return v;
}

TEST(RtlRequantizer, BitIdenticalToTheIntegerReference) {
  ASSERT_TRUE(testing::tool_installed("iverilog")) << "iverilog is not installed (scripts/setup.sh installs it)";
  ASSERT_TRUE(testing::tool_installed("vvp")) << "vvp (iverilog's runtime) is not installed";
  testing::ScratchDir dir;
  const RtlDesign d = generate_rtl(npu::preset("edge"));
  write_rtl(d, dir.str());
  const std::vector<Vector> v = vectors();
  {
    std::ofstream f(dir / "vectors.txt");
    char line[128];
    for (const Vector& x : v) {
      std::snprintf(line, sizeof line, "%08x %08x %08x %02x %02x %02x %02x\n", static_cast<uint32_t>(x.acc),
                    static_cast<uint32_t>(x.bias), static_cast<uint32_t>(x.mult), x.shift & 0xff, x.zp & 0xff,
                    x.lo & 0xff, x.hi & 0xff);
      f << line;
    }
  }
  const std::vector<int32_t> got = testing::run_lane_testbench(dir.str(), "etch_requantizer");
  ASSERT_EQ(got.size(), v.size());
  size_t mismatches = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    const int32_t want = reference(v[i]);
    if (got[i] != want && mismatches++ < 10)
      ADD_FAILURE() << "vector " << i << ": acc " << v[i].acc << " bias " << v[i].bias << " mult " << v[i].mult
                    << " shift " << v[i].shift << " zp " << v[i].zp << " [" << v[i].lo << ", " << v[i].hi << "]: RTL "
                    << got[i] << ", reference " << want;
  }
  EXPECT_EQ(mismatches, 0u);
}

}  // namespace
}  // namespace etch::rtl
