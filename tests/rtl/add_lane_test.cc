// The generated ADD lane, simulated with iverilog, against ai.etch.QAdd as
// docs/npu-isa.md defines it, evaluated with etch's reference requantization
// (runtime::multiply_by_quantized_multiplier): random operands, zero points,
// multipliers and shifts (fixed seed), bit for bit.
#include <gtest/gtest.h>

#include <algorithm>
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

struct AddVector {
  int32_t a, b, a_zp, b_zp, left_shift, a_mult, a_shift, b_mult, b_shift, mult, shift, y_zp, lo, hi;
};

int32_t reference(const AddVector& v) {
  using runtime::multiply_by_quantized_multiplier;
  const int32_t sa = multiply_by_quantized_multiplier((v.a - v.a_zp) * (1 << v.left_shift), v.a_mult, v.a_shift);
  const int32_t sb = multiply_by_quantized_multiplier((v.b - v.b_zp) * (1 << v.left_shift), v.b_mult, v.b_shift);
  const int64_t y = int64_t{multiply_by_quantized_multiplier(sa + sb, v.mult, v.shift)} + v.y_zp;
  return static_cast<int32_t>(std::clamp<int64_t>(y, v.lo, v.hi));
}

TEST(RtlAddLane, MatchesQAddWithTheReferenceArithmetic) {
  ASSERT_TRUE(testing::tool_installed("iverilog")) << "iverilog is not installed (scripts/setup.sh installs it)";
  ASSERT_TRUE(testing::tool_installed("vvp")) << "vvp (iverilog's runtime) is not installed";
  std::mt19937 rng(31);
  std::uniform_int_distribution<int32_t> i8(-128, 127), mult(1 << 30, std::numeric_limits<int32_t>::max());
  // Input rescales shrink (shift <= 0), so a' + b' stays exact in int32 with
  // left_shift <= 22; the output rescale takes any valid shift.
  std::uniform_int_distribution<int32_t> in_shift(-31, 0), out_shift(-31, 30), left(0, 22), coin(0, 1);
  std::vector<AddVector> v;
  for (int i = 0; i < 4000; ++i) {
    AddVector x{i8(rng),        i8(rng),       i8(rng),   i8(rng),       coin(rng) ? 20 : left(rng),
                mult(rng),      in_shift(rng), mult(rng), in_shift(rng), mult(rng),
                out_shift(rng), i8(rng),       i8(rng),   i8(rng)};
    if (x.lo > x.hi) std::swap(x.lo, x.hi);
    v.push_back(x);
  }
  testing::ScratchDir dir;
  write_rtl(generate_rtl(npu::preset("edge")), dir.str());
  {
    std::ofstream f(dir / "vectors.txt");
    char line[160];
    for (const AddVector& x : v) {
      std::snprintf(line, sizeof line, "%02x %02x %02x %02x %02x %08x %02x %08x %02x %08x %02x %02x %02x %02x\n",
                    x.a & 0xff, x.b & 0xff, x.a_zp & 0xff, x.b_zp & 0xff, x.left_shift, static_cast<uint32_t>(x.a_mult),
                    x.a_shift & 0xff, static_cast<uint32_t>(x.b_mult), x.b_shift & 0xff, static_cast<uint32_t>(x.mult),
                    x.shift & 0xff, x.y_zp & 0xff, x.lo & 0xff, x.hi & 0xff);
      f << line;
    }
  }
  const std::vector<int32_t> got = testing::run_lane_testbench(dir.str(), "etch_add_lane");
  ASSERT_EQ(got.size(), v.size());
  for (size_t i = 0; i < v.size(); ++i) ASSERT_EQ(got[i], reference(v[i])) << "vector " << i;
}

}  // namespace
}  // namespace etch::rtl
