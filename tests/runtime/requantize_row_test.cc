// requantize_row_to_int8 (vectorised where the CPU has AVX2) against the
// scalar definition, requantize(), element by element: every shift from −31
// to 30, multipliers at both ends of their range, accumulators at the int32
// extremes (where acc + bias wraps), zero points and clamp ranges of both signs,
// and row lengths that leave a scalar tail.
#include "etch/runtime/requantize_row.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <vector>

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
  std::mt19937 rng(7);
  std::uniform_int_distribution<int32_t> any(std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
  std::uniform_int_distribution<int32_t> small(-70000, 70000);
  const int32_t multipliers[] = {1 << 30, (1 << 30) + 12345, 1518500250, std::numeric_limits<int32_t>::max()};
  const int32_t extremes[] = {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::min() + 1, -1, 0, 1,
                              std::numeric_limits<int32_t>::max()};
  for (int shift = -31; shift <= 30; ++shift)
    for (int32_t mult : multipliers) {
      std::vector<int32_t> acc(37);  // 4 vectors of 8 and a tail of 5
      for (size_t i = 0; i < acc.size(); ++i) acc[i] = i < 6 ? extremes[i] : (i % 2 ? any(rng) : small(rng));
      expect_row_matches_scalar(acc, 0, {mult, shift}, 0, -128, 127);
      expect_row_matches_scalar(acc, small(rng), {mult, shift}, -128, -128, 127);  // fused ReLU-like range
      expect_row_matches_scalar(acc, any(rng), {mult, shift}, 127, -20, 100);      // bias wraps
      expect_row_matches_scalar(acc, -small(rng), {mult, shift}, 5, 5, 5);         // a one-value range
    }
}

TEST(RequantizeRow, RoundsTiesAsGemmlowp) {
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
}

}  // namespace
}  // namespace etch::runtime
