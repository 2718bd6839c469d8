// The requantization arithmetic the NPU's vector unit implements: gemmlowp's
// SaturatingRoundingDoublingHighMul and RoundingDivideByPOT, and TFLite's
// MultiplyByQuantizedMultiplier (docs/quantization.md). sim/ may not use
// runtime/, so this is a second, independent implementation of the few lines
// involved; tests/sim checks it against runtime::multiply_by_quantized_multiplier.
#pragma once
#include <algorithm>
#include <cstdint>
#include <limits>

namespace etch::sim {

// a + b modulo 2^32 (b's low 32 bits), as the hardware's int32 accumulators
// and adders wrap, without C++'s signed overflow.
inline int32_t wrapping_add(int32_t a, int64_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}

inline int32_t srdhm(int32_t a, int32_t b) {
  if (a == b && a == std::numeric_limits<int32_t>::min()) return std::numeric_limits<int32_t>::max();
  const int64_t ab = static_cast<int64_t>(a) * b;
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : 1 - (int64_t{1} << 30);
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));  // C++ division truncates toward zero
}

inline int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// x * multiplier * 2^(shift - 31), rounded; shift in [-31, 30]. A left shift
// is evaluated exactly in 128 bits and the result saturated, as etch's
// reference does.
// mbqm for shift <= 0 (a right shift): no 128-bit path, so loops that call
// only this one vectorise.
inline int32_t mbqm_right(int32_t x, int32_t multiplier, int shift) {
  return rounding_divide_by_pot(srdhm(x, multiplier), -shift);
}

inline int32_t mbqm(int32_t x, int32_t multiplier, int shift) {
  if (shift <= 0) return mbqm_right(x, multiplier, shift);
  const __int128 ab = (static_cast<__int128>(x) << shift) * multiplier;
  const __int128 nudge = ab >= 0 ? (__int128{1} << 30) : 1 - (__int128{1} << 30);
  const __int128 q = (ab + nudge) / (__int128{1} << 31);
  return static_cast<int32_t>(
      std::clamp<__int128>(q, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()));
}

inline int32_t requantize(int32_t acc, int32_t multiplier, int shift, int32_t zero_point, int32_t lo, int32_t hi) {
  const int64_t v = static_cast<int64_t>(mbqm(acc, multiplier, shift)) + zero_point;
  return static_cast<int32_t>(std::clamp<int64_t>(v, lo, hi));
}

}  // namespace etch::sim
