// The vectorised rows of etch's quantization arithmetic against their scalar
// definitions, element by element. requantize_row_to_int8 against
// requantize(): every shift from −31
// to 30, multipliers at both ends of their range, accumulators at the int32
// extremes (where acc + bias wraps), zero points and clamp ranges of both signs,
// and row lengths that leave a scalar tail, each on the AVX-512 and the AVX2
// path where the machine has them. add_row_int8 against add_int8 on
// every pair of int8 values; quantize_row_half_even against
// quantize_half_even on ties, NaN, infinities and saturation.
#include "etch/runtime/requantize_row.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>
#include <vector>

#include "core/isa_paths.h"

namespace etch::runtime {
namespace {

void expect_row_matches_scalar(const std::vector<int32_t>& acc, int32_t bias, QuantizedMultiplier m, int32_t zp,
                               int32_t lo, int32_t hi) {
  std::vector<int8_t> y(acc.size());
  requantize_row_to_int8(acc.data(), static_cast<int64_t>(acc.size()), bias, m, zp, lo, hi, y.data());
  for (size_t i = 0; i < acc.size(); ++i) {
    const auto a = static_cast<int32_t>(static_cast<uint32_t>(acc[i]) + static_cast<uint32_t>(bias));
    ASSERT_EQ(int{y[i]}, requantize(a, m, zp, lo, hi))
        << "acc " << acc[i] << " bias " << bias << " multiplier " << m.multiplier << " shift " << m.shift << " zp "
        << zp << " range [" << lo << ", " << hi << "]";
  }
}

TEST(RequantizeRow, EqualsScalarRequantizeEverywhere) {
  etch::testing::for_each_isa_path([&] {
    std::mt19937 rng(7);
    std::uniform_int_distribution<int32_t> any(std::numeric_limits<int32_t>::min(),
                                               std::numeric_limits<int32_t>::max());
    std::uniform_int_distribution<int32_t> small(-70000, 70000);
    const int32_t multipliers[] = {1 << 30, (1 << 30) + 12345, 1518500250, std::numeric_limits<int32_t>::max()};
    const int32_t extremes[] = {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::min() + 1, -1, 0, 1,
                                std::numeric_limits<int32_t>::max()};
    for (int shift = -31; shift <= 30; ++shift)
      for (int32_t mult : multipliers) {
        // AVX2: 2 blocks of 32, a vector of 8 and a scalar tail of 5;
        // AVX-512: 4 vectors of 16 and a masked one of 13.
        std::vector<int32_t> acc(77);
        // Sums whose result lands near the int8 range at this shift, where
        // the rounding shows (the others mostly saturate).
        const int64_t reach = std::min<int64_t>(int64_t{300} << std::max(0, -shift), 2000000000);
        std::uniform_int_distribution<int64_t> near(-reach, reach);
        for (size_t i = 0; i < acc.size(); ++i)
          acc[i] = i < 6        ? extremes[i]
                   : i % 3 == 0 ? any(rng)
                   : i % 3 == 1 ? small(rng)
                                : static_cast<int32_t>(near(rng));
        expect_row_matches_scalar(acc, 0, {mult, shift}, 0, -128, 127);
        expect_row_matches_scalar(acc, small(rng), {mult, shift}, -128, -128, 127);  // fused ReLU-like range
        expect_row_matches_scalar(acc, any(rng), {mult, shift}, 127, -20, 100);      // bias wraps
        expect_row_matches_scalar(acc, -small(rng), {mult, shift}, 5, 5, 5);         // a one-value range
      }
  });
}

TEST(RequantizeRow, RoundsTiesAsGemmlowp) {
  etch::testing::for_each_isa_path([&] {
    // x·m/2^31 exactly ±k + 1/2 (m = 2^30 is one half), then a rounding shift of
    // 2 on values ≡ 2 mod 4 (ties): SRDHM rounds half up, RoundingDivideByPOT
    // half away from zero.
    std::vector<int32_t> acc;
    for (int32_t v = -40; v <= 40; ++v) acc.push_back(v);
    expect_row_matches_scalar(acc, 0, {1 << 30, 0}, 0, -128, 127);
    expect_row_matches_scalar(acc, 0, {1 << 30, -1}, 0, -128, 127);
    expect_row_matches_scalar(acc, 0, {1 << 30, -2}, 0, -128, 127);
    std::vector<int8_t> y(acc.size());
    requantize_row_to_int8(acc.data(), static_cast<int64_t>(acc.size()), 0, {1 << 30, 0}, 0, -128, 127, y.data());
    EXPECT_EQ(y[40 + 3], 2);   // 1.5 → 2
    EXPECT_EQ(y[40 - 3], -1);  // −1.5 → −1 (SRDHM's nudge rounds half up)
    EXPECT_EQ(y[40 - 1], 0);   // −0.5 → 0
  });
}

TEST(AddRow, EqualsScalarAddEverywhere) {
  etch::testing::for_each_isa_path([&] {
    // Every pair of int8 values, for multipliers and shifts of the kinds QAdd
    // gets (input rescales below 1, output rescales on both sides of 1), with
    // clamp ranges and zero points of both signs; the row is cut to 65533 so
    // that 16-lane blocks, one 8-lane block and a scalar tail all run (AVX2),
    // or 16-lane blocks and a masked one (AVX-512).
    std::vector<int8_t> a, b;
    for (int x = -128; x < 128; ++x)
      for (int z = -128; z < 128; ++z) a.push_back(static_cast<int8_t>(x)), b.push_back(static_cast<int8_t>(z));
    const int64_t n = static_cast<int64_t>(a.size()) - 3;
    const AddRequant params[] = {
        {0, 0, 20, {1 << 30, -1}, {1 << 30, -1}, {1 << 30, -19}, 0, -128, 127},
        {-7, 12, 20, {1518500250, -2}, {1200000000, 0}, {2000000000, -18}, 3, -128, 127},
        {127, -128, 23, {1073741824, -5}, {2147483647, -6}, {1500000000, -17}, -128, -128, 127},
        {5, -5, 10, {1300000000, -1}, {1400000000, -2}, {1100000000, -9}, -20, -20, 90},
    };
    for (const AddRequant& p : params) {
      std::vector<int8_t> y(static_cast<size_t>(n));
      add_row_int8(a.data(), b.data(), n, p, y.data());
      for (int64_t i = 0; i < n; ++i)
        ASSERT_EQ(y[i], add_int8(a[i], b[i], p)) << "a " << int{a[i]} << " b " << int{b[i]};
    }
  });
}

TEST(AddRow, ScalarDefinitionIsTfliteAdd) {
  // Hand-computed: zero points 0, left shift 0, and every multiplier 1/2
  // (2^30 with shift 0): y = (a/2 + b/2)/2, each step rounded.
  const AddRequant p{0, 0, 0, {1 << 30, 0}, {1 << 30, 0}, {1 << 30, 0}, 0, -128, 127};
  // 40/2 = 20, 60/2 = 30, (20 + 30)/2 = 25.
  EXPECT_EQ(add_int8(40, 60, p), 25);
  // −3/2 = −1 (SRDHM rounds half up), 5/2 = 3, 2/2 = 1.
  EXPECT_EQ(add_int8(-3, 5, p), 1);
}

template <typename T>
void expect_quantize_row_matches(const std::vector<float>& x, float scale, int32_t zp) {
  std::vector<T> y(x.size());
  quantize_row_half_even<T>(x.data(), static_cast<int64_t>(x.size()), scale, zp, y.data());
  for (size_t i = 0; i < x.size(); ++i)
    ASSERT_EQ(int{y[i]}, int{quantize_half_even<T>(x[i], scale, zp)}) << "x " << x[i] << " scale " << scale;
}

TEST(QuantizeRow, EqualsScalarQuantizeLinear) {
  std::vector<float> x = {0.5f,
                          1.5f,
                          2.5f,
                          -0.5f,
                          -1.5f,
                          -2.5f,
                          127.5f,
                          -128.5f,
                          255.5f,
                          1e30f,
                          -1e30f,
                          std::numeric_limits<float>::infinity(),
                          -std::numeric_limits<float>::infinity(),
                          std::numeric_limits<float>::quiet_NaN(),
                          0.0f,
                          -0.0f,
                          3e9f,
                          -3e9f};
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> d(-300.0f, 300.0f);
  for (int i = 0; i < 1000; ++i) x.push_back(d(rng));
  for (float scale : {1.0f, 0.5f, 0.0078125f, 0.37f, 3.1f}) {
    expect_quantize_row_matches<int8_t>(x, scale, 0);
    expect_quantize_row_matches<int8_t>(x, scale, -128);
    expect_quantize_row_matches<int8_t>(x, scale, 127);
    expect_quantize_row_matches<uint8_t>(x, scale, 0);
    expect_quantize_row_matches<uint8_t>(x, scale, 128);
    expect_quantize_row_matches<uint8_t>(x, scale, 255);
  }
  std::vector<int8_t> y(x.size());
  quantize_row_half_even<int8_t>(x.data(), static_cast<int64_t>(x.size()), 1.0f, 0, y.data());
  EXPECT_EQ(y[0], 0);    // 0.5 → 0 (half to even)
  EXPECT_EQ(y[1], 2);    // 1.5 → 2
  EXPECT_EQ(y[2], 2);    // 2.5 → 2
  EXPECT_EQ(y[13], 0);   // NaN → the zero point
  EXPECT_EQ(y[9], 127);  // saturated
}

}  // namespace
}  // namespace etch::runtime
