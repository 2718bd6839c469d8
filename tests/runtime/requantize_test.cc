// Hand-derived checks of etch's fixed-point requantization (TFLite/gemmlowp
// rules). Notation: SRDHM(a, b) = (a·b + nudge) / 2^31 truncated toward zero,
// nudge = 2^30 if a·b >= 0 else 1 − 2^30; RDBP(x, e) = (x >> e) + (rem > thr),
// rem = x & (2^e − 1), thr = (2^e − 1) >> 1, plus 1 when x < 0.
#include "etch/runtime/requantize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "etch/core/error.h"

namespace etch::runtime {
namespace {

constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
constexpr int32_t k2p30 = 1 << 30;

TEST(QuantizeMultiplier, ZeroIsZero) {
  EXPECT_EQ(quantize_multiplier(0.0), (QuantizedMultiplier{0, 0}));
  EXPECT_EQ(multiply_by_quantized_multiplier(12345, quantize_multiplier(0.0)), 0);
}

TEST(QuantizeMultiplier, ExactPowersOfTwo) {
  // frexp(2^e) = 0.5 · 2^(e+1); 0.5 · 2^31 = 2^30.
  EXPECT_EQ(quantize_multiplier(0.5), (QuantizedMultiplier{k2p30, 0}));
  EXPECT_EQ(quantize_multiplier(1.0), (QuantizedMultiplier{k2p30, 1}));
  EXPECT_EQ(quantize_multiplier(2.0), (QuantizedMultiplier{k2p30, 2}));
  EXPECT_EQ(quantize_multiplier(0.25), (QuantizedMultiplier{k2p30, -1}));
  EXPECT_EQ(quantize_multiplier(0.0625), (QuantizedMultiplier{k2p30, -3}));
}

TEST(QuantizeMultiplier, GeneralMantissa) {
  // 0.75 = 0.75 · 2^0; 0.75 · 2^31 = 1610612736.
  EXPECT_EQ(quantize_multiplier(0.75), (QuantizedMultiplier{1610612736, 0}));
  // 3.0 = 0.75 · 2^2.
  EXPECT_EQ(quantize_multiplier(3.0), (QuantizedMultiplier{1610612736, 2}));
}

TEST(QuantizeMultiplier, VeryCloseToOne) {
  // 1 − 2^-31: mantissa · 2^31 = 2^31 − 1 exactly, fits.
  EXPECT_EQ(quantize_multiplier(1.0 - std::ldexp(1.0, -31)), (QuantizedMultiplier{kMax, 0}));
  // 1 − 2^-32: mantissa · 2^31 = 2^31 − 0.5, rounds (half away) to 2^31, which
  // is renormalised to 2^30 with the shift bumped to 1, i.e. exactly 1.0.
  EXPECT_EQ(quantize_multiplier(1.0 - std::ldexp(1.0, -32)), (QuantizedMultiplier{k2p30, 1}));
  // 1 − 2^-40 likewise rounds up to 1.0.
  EXPECT_EQ(quantize_multiplier(1.0 - std::ldexp(1.0, -40)), (QuantizedMultiplier{k2p30, 1}));
  // 1 + 2^-30: mantissa 0.5 + 2^-31, · 2^31 = 2^30 + 1, exponent 1.
  EXPECT_EQ(quantize_multiplier(1.0 + std::ldexp(1.0, -30)), (QuantizedMultiplier{k2p30 + 1, 1}));
}

TEST(QuantizeMultiplier, TinyMultipliers) {
  // 2^-31 = 0.5 · 2^-30 → {2^30, -30}; 2^-32 → {2^30, -31}, the smallest shift.
  EXPECT_EQ(quantize_multiplier(std::ldexp(1.0, -31)), (QuantizedMultiplier{k2p30, -30}));
  EXPECT_EQ(quantize_multiplier(std::ldexp(1.0, -32)), (QuantizedMultiplier{k2p30, -31}));
  // 2^-33 needs shift −32: flushed to zero as TFLite does.
  EXPECT_EQ(quantize_multiplier(std::ldexp(1.0, -33)), (QuantizedMultiplier{0, 0}));
}

TEST(QuantizeMultiplier, HugeSaturatesAndBadInputThrows) {
  // 2^29 = 0.5 · 2^30: largest exact shift. 2^30 would need shift 31.
  EXPECT_EQ(quantize_multiplier(std::ldexp(1.0, 29)), (QuantizedMultiplier{k2p30, 30}));
  EXPECT_EQ(quantize_multiplier(std::ldexp(1.0, 30)), (QuantizedMultiplier{kMax, 30}));
  EXPECT_THROW(quantize_multiplier(-0.5), Error);
  EXPECT_THROW(quantize_multiplier(std::nan("")), Error);
  EXPECT_THROW(quantize_multiplier(INFINITY), Error);
}

TEST(Srdhm, SaturatesOnlyForMinTimesMin) {
  // (−2^31)·(−2^31)/2^31 = 2^31 does not fit: the one saturating case.
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMin, kMin), kMax);
  // −2^31 · 2^30 / 2^31 = −2^30 exactly (nudge 1 − 2^30 is truncated away).
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMin, k2p30), -k2p30);
  // MAX·MAX: (2^62 − 2^32 + 1 + 2^30) / 2^31 = 2^31 − 2 + (2^30 + 1)/2^31 → 2^31 − 2.
  EXPECT_EQ(saturating_rounding_doubling_high_mul(kMax, kMax), kMax - 1);
  // 0.5 · 0.5 in Q31: 2^60 + 2^30 over 2^31 → 2^29.
  EXPECT_EQ(saturating_rounding_doubling_high_mul(k2p30, k2p30), 1 << 29);
}

TEST(Srdhm, TiesRoundTowardPlusInfinity) {
  // 1 · 2^30 / 2^31 = +0.5: (2^30 + 2^30) / 2^31 = 1.
  EXPECT_EQ(saturating_rounding_doubling_high_mul(1, k2p30), 1);
  // −0.5: (−2^30 + 1 − 2^30) / 2^31 = −0.99… → truncates to 0.
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-1, k2p30), 0);
  // ±1.5: 3·2^30 → (4·2^30)/2^31 = 2; −3·2^30 → (−4·2^30 + 1)/2^31 = −1.99… → −1.
  EXPECT_EQ(saturating_rounding_doubling_high_mul(3, k2p30), 2);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-3, k2p30), -1);
  // Non-ties round to nearest: 0.75 → (3·2^29 + 2^30)/2^31 = 1.25 → 1; −0.75 → (−3·2^29 + 1 − 2^30)/2^31 → −1.
  EXPECT_EQ(saturating_rounding_doubling_high_mul(3, 1 << 29), 1);
  EXPECT_EQ(saturating_rounding_doubling_high_mul(-3, 1 << 29), -1);
}

TEST(Rdbp, TiesRoundAwayFromZero) {
  // 5/2 = 2.5: 5>>1 = 2, rem 1 > thr 0 → 3.  −5/2: −5>>1 = −3, rem 1, thr 1 → −3.
  EXPECT_EQ(rounding_divide_by_pot(5, 1), 3);
  EXPECT_EQ(rounding_divide_by_pot(-5, 1), -3);
  // 6/4 = 1.5 → 2; −6/4: −6>>2 = −2, rem 2, thr 2 → −2.  7/4 = 1.75 → 2; 5/4 = 1.25 → 1.
  EXPECT_EQ(rounding_divide_by_pot(6, 2), 2);
  EXPECT_EQ(rounding_divide_by_pot(-6, 2), -2);
  EXPECT_EQ(rounding_divide_by_pot(7, 2), 2);
  EXPECT_EQ(rounding_divide_by_pot(5, 2), 1);
  EXPECT_EQ(rounding_divide_by_pot(-5, 2), -1);
}

TEST(Rdbp, ExponentBounds) {
  EXPECT_EQ(rounding_divide_by_pot(-7, 0), -7);  // mask 0: identity
  EXPECT_EQ(rounding_divide_by_pot(kMax, 0), kMax);
  // e = 31: (2^31 − 1)/2^31 → 1; 2^30/2^31 = 0.5 → 1; (2^30 − 1)/2^31 → 0.
  EXPECT_EQ(rounding_divide_by_pot(kMax, 31), 1);
  EXPECT_EQ(rounding_divide_by_pot(k2p30, 31), 1);
  EXPECT_EQ(rounding_divide_by_pot(k2p30 - 1, 31), 0);
  // −2^30: >>31 = −1, rem = 2^30, thr = 2^30 → stays −1 (−0.5 away from zero).
  EXPECT_EQ(rounding_divide_by_pot(-k2p30, 31), -1);
  EXPECT_EQ(rounding_divide_by_pot(-k2p30 + 1, 31), 0);
  EXPECT_EQ(rounding_divide_by_pot(kMin, 31), -1);
  EXPECT_THROW(rounding_divide_by_pot(1, 32), Error);
}

TEST(MultiplyByQuantizedMultiplier, RightShifts) {
  // 100 · 0.5: SRDHM(100, 2^30) = (101·2^30)/2^31 → 50.
  EXPECT_EQ(multiply_by_quantized_multiplier(100, k2p30, 0), 50);
  // 3 · 0.25: SRDHM = (4·2^30)/2^31 = 2, RDBP(2, 1) = 1. Exact 0.75 → 1.
  EXPECT_EQ(multiply_by_quantized_multiplier(3, k2p30, -1), 1);
  // Double rounding, as in TFLite: 5 · 0.25 = 1.25, but SRDHM gives 2.5 → 3,
  // then RDBP(3, 1) = 1.5 → 2.
  EXPECT_EQ(multiply_by_quantized_multiplier(5, k2p30, -1), 2);
  // −5 · 0.25: SRDHM(−5, 2^30) = (−6·2^30 + 1)/2^31 → −2 (−2.5 toward +inf),
  // RDBP(−2, 1) = −1 exactly.
  EXPECT_EQ(multiply_by_quantized_multiplier(-5, k2p30, -1), -1);
}

TEST(MultiplyByQuantizedMultiplier, ShiftRangeEnds) {
  // Shift −31 with the largest multiplier: SRDHM(MAX, MAX) = 2^31 − 2, then
  // RDBP(2^31 − 2, 31): rem 2^31 − 2 > thr 2^30 − 1 → 1 (true value ≈ 0.99999).
  EXPECT_EQ(multiply_by_quantized_multiplier(kMax, kMax, -31), 1);
  // MIN · 0.5 · 2^-31 = −0.5: SRDHM(MIN, 2^30) = −2^30, RDBP(−2^30, 31) = −1.
  EXPECT_EQ(multiply_by_quantized_multiplier(kMin, k2p30, -31), -1);
  EXPECT_EQ(multiply_by_quantized_multiplier(k2p30, k2p30, -31), 0);  // 2^29 / 2^31 = 0.25 → 0
  // Shift 0 with the multiplier just below 1: 1000 · (1 − 2^-31) = 999.9999995.
  // SRDHM(1000, MAX) = (1000·2^31 − 1000 + 2^30)/2^31 → 1000.
  EXPECT_EQ(multiply_by_quantized_multiplier(1000, kMax, 0), 1000);
  EXPECT_EQ(multiply_by_quantized_multiplier(-1000, kMax, 0), -1000);
}

TEST(MultiplyByQuantizedMultiplier, LeftShifts) {
  // 3 · 2.0 = {2^30, 2}: 3 << 2 = 12, SRDHM(12, 2^30) = (13·2^30)/2^31 → 6.
  EXPECT_EQ(multiply_by_quantized_multiplier(3, k2p30, 2), 6);
  // −7 · 1.0 = {2^30, 1}: −14, SRDHM = (−15·2^30 + 1)/2^31 → −7.
  EXPECT_EQ(multiply_by_quantized_multiplier(-7, k2p30, 1), -7);
  // 5 · 3.0 = {1610612736, 2}: 20 · 0.75 = 15 exactly.
  EXPECT_EQ(multiply_by_quantized_multiplier(5, quantize_multiplier(3.0)), 15);
  // 2^29 << 2 = 2^31 no longer fits in int32, but the exact product does:
  // (2^31 · 2^30 + 2^30) / 2^31 → 2^30, the true 2^29 · 2.
  EXPECT_EQ(multiply_by_quantized_multiplier(1 << 29, k2p30, 2), k2p30);
  // Results beyond int32 saturate: 2^30 · 4 = 2^32 → MAX; −2^30 · 4 → MIN.
  // (−2^63 + 1 − 2^30)/2^31 truncates to −2^32, clamped to MIN.
  EXPECT_EQ(multiply_by_quantized_multiplier(k2p30, k2p30, 3), kMax);
  EXPECT_EQ(multiply_by_quantized_multiplier(-k2p30, k2p30, 3), kMin);
  // MAX · 1.0: ((2^32 − 2)·2^30 + 2^30)/2^31 = 2^31 − 0.5 → MAX exactly.
  EXPECT_EQ(multiply_by_quantized_multiplier(kMax, k2p30, 1), kMax);
  // Largest left shift: 1 · 2^29 = {2^30, 30}: 1 << 30, SRDHM(2^30, 2^30) = 2^29.
  EXPECT_EQ(multiply_by_quantized_multiplier(1, k2p30, 30), 1 << 29);
  EXPECT_THROW(multiply_by_quantized_multiplier(1, k2p30, 31), Error);
  EXPECT_THROW(multiply_by_quantized_multiplier(1, k2p30, -32), Error);
}

TEST(Requantize, ZeroPointAndClamping) {
  const QuantizedMultiplier m = quantize_multiplier(0.0625);  // {2^30, −3}
  // 1000/16 = 62.5: SRDHM(1000, 2^30) = 500 (500.5 truncated), RDBP(500, 3):
  // 500>>3 = 62, rem 4 > thr 3 → 63. Plus zero point −10 → 53.
  EXPECT_EQ(requantize_to_int8(1000, m, -10), 53);
  // 10000/16 = 625 − 10 = 615 → 127; −10000/16 = −625 − 10 → −128.
  EXPECT_EQ(requantize_to_int8(10000, m, -10), 127);
  EXPECT_EQ(requantize_to_int8(-10000, m, -10), -128);
  // Fused ReLU: activation range [zp, 127]. −16/16 = −1 → −11 → clamped to −10.
  EXPECT_EQ(requantize_to_int8(-16, m, -10, -10, 127), -10);
  // Zero point addition cannot overflow: MAX · 1.0 + 100 clamps.
  EXPECT_EQ(requantize(kMax, quantize_multiplier(1.0), 100, kMin, kMax), kMax);
}

TEST(QuantizeFloat, RoundingAtTies) {
  // x / 1 = ±2.5, ±3.5, ±0.5.
  EXPECT_EQ(quantize_half_even<int8_t>(2.5f, 1.0f, 0), 2);
  EXPECT_EQ(quantize_half_even<int8_t>(3.5f, 1.0f, 0), 4);
  EXPECT_EQ(quantize_half_even<int8_t>(-2.5f, 1.0f, 0), -2);
  EXPECT_EQ(quantize_half_even<int8_t>(-3.5f, 1.0f, 0), -4);
  EXPECT_EQ(quantize_half_even<int8_t>(0.5f, 1.0f, 0), 0);
  EXPECT_EQ(quantize_half_even<int8_t>(-0.5f, 1.0f, 0), 0);
  EXPECT_EQ(quantize_half_away<int8_t>(2.5f, 1.0f, 0), 3);
  EXPECT_EQ(quantize_half_away<int8_t>(-2.5f, 1.0f, 0), -3);
  EXPECT_EQ(quantize_half_away<int8_t>(0.5f, 1.0f, 0), 1);
  EXPECT_EQ(quantize_half_away<int8_t>(-0.5f, 1.0f, 0), -1);
  // Not a tie: 2.4 → 2 and 2.6 → 3 in both.
  EXPECT_EQ(quantize_half_even<int8_t>(2.4f, 1.0f, 0), 2);
  EXPECT_EQ(quantize_half_away<int8_t>(2.6f, 1.0f, 0), 3);
  // Scale and zero point: 1.25 / 0.5 = 2.5 → 2 (even) or 3 (away), + 10.
  EXPECT_EQ(quantize_half_even<uint8_t>(1.25f, 0.5f, 10), 12);
  EXPECT_EQ(quantize_half_away<uint8_t>(1.25f, 0.5f, 10), 13);
}

TEST(QuantizeFloat, Saturation) {
  EXPECT_EQ(quantize_half_even<uint8_t>(1000.0f, 1.0f, 0), 255);
  EXPECT_EQ(quantize_half_even<uint8_t>(-1.0f, 1.0f, 0), 0);
  EXPECT_EQ(quantize_half_away<int8_t>(-200.0f, 1.0f, 0), -128);
  EXPECT_EQ(quantize_half_away<int8_t>(126.0f, 1.0f, 5), 127);
  EXPECT_EQ(quantize_half_even<int32_t>(1e20f, 1.0f, 0), kMax);
  EXPECT_EQ(quantize_half_even<int32_t>(-1e20f, 1.0f, 0), kMin);
  EXPECT_EQ(quantize_half_even<uint8_t>(INFINITY, 1.0f, 3), 255);
  EXPECT_EQ(quantize_half_even<uint8_t>(std::nanf(""), 1.0f, 3), 3);  // NaN → zero point
  EXPECT_EQ(round_half_to_even(-0.5), 0.0);
  EXPECT_EQ(round_half_to_even(4.5), 4.0);
  EXPECT_EQ(round_half_away_from_zero(-4.5), -5.0);
}

}  // namespace
}  // namespace etch::runtime
