#include "etch/runtime/requantize.h"

#include <gemmlowp/fixedpoint/fixedpoint.h>

#include <cmath>
#include <limits>

#include "etch/core/error.h"

namespace etch::runtime {

QuantizedMultiplier quantize_multiplier(double real) {
  ETCH_REQUIRE(std::isfinite(real) && real >= 0, InvalidInput)
      << "requantization multiplier must be finite and non-negative, got " << real;
  if (real == 0) return {};
  int shift = 0;
  const double q = std::frexp(real, &shift);  // real = q · 2^shift, q in [0.5, 1)
  int64_t q_fixed = static_cast<int64_t>(std::round(q * static_cast<double>(1ll << 31)));
  ETCH_CHECK(q_fixed <= (1ll << 31)) << "frexp mantissa out of range";
  if (q_fixed == (1ll << 31)) {  // q rounded up to 1.0
    q_fixed /= 2;
    ++shift;
  }
  if (shift < -31) return {};  // below 2^-32: every int32 product rounds to 0 or ±1; TFLite flushes to 0
  if (shift > 30) return {std::numeric_limits<int32_t>::max(), 30};
  return {static_cast<int32_t>(q_fixed), shift};
}

int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  return gemmlowp::SaturatingRoundingDoublingHighMul(a, b);
}

int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  ETCH_CHECK(exponent >= 0 && exponent <= 31) << "rounding shift " << exponent << " out of [0, 31]";
  return gemmlowp::RoundingDivideByPOT(x, exponent);
}

int32_t multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift) {
  ETCH_CHECK(shift >= -31 && shift <= 30) << "requantization shift " << shift << " out of [-31, 30]";
  if (shift <= 0) return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(x, multiplier), -shift);
  // Left shift: SRDHM's formula evaluated on the exact (x · 2^shift) · m in
  // 128 bits, then saturated. Whenever x · 2^shift fits in int32 this is
  // TFLite's SRDHM(x << shift, m) bit for bit; when it does not, TFLite's
  // reference overflows (undefined) and its NEON path saturates the shift
  // first (a result off by up to 2x), while etch saturates the final value.
  const __int128 ab = (static_cast<__int128>(x) << shift) * multiplier;
  const __int128 nudge = ab >= 0 ? (__int128{1} << 30) : 1 - (__int128{1} << 30);
  const __int128 q = (ab + nudge) / (__int128{1} << 31);  // truncates toward zero, as SRDHM does
  return static_cast<int32_t>(
      std::clamp<__int128>(q, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()));
}

int32_t requantize(int32_t acc, QuantizedMultiplier m, int32_t zero_point, int32_t act_min, int32_t act_max) {
  const int64_t v = static_cast<int64_t>(multiply_by_quantized_multiplier(acc, m)) + zero_point;
  return static_cast<int32_t>(std::clamp<int64_t>(v, act_min, act_max));
}

int8_t requantize_to_int8(int32_t acc, QuantizedMultiplier m, int32_t zero_point, int32_t act_min, int32_t act_max) {
  ETCH_CHECK(act_min >= -128 && act_max <= 127 && act_min <= act_max)
      << "int8 activation range [" << act_min << ", " << act_max << "]";
  return static_cast<int8_t>(requantize(acc, m, zero_point, act_min, act_max));
}

double round_half_away_from_zero(double v) { return std::round(v); }

double round_half_to_even(double v) {
  // Explicit rather than std::nearbyint, which depends on the FP rounding mode.
  if (std::fabs(v - std::trunc(v)) == 0.5) return 2.0 * std::round(v / 2.0);
  return std::round(v);
}

template <typename T>
T saturate_cast(double v) {
  if (std::isnan(v)) return T{0};
  constexpr double lo = static_cast<double>(std::numeric_limits<T>::min());
  constexpr double hi = static_cast<double>(std::numeric_limits<T>::max());
  return static_cast<T>(std::clamp(v, lo, hi));
}

namespace {
template <typename T, double (*Round)(double)>
T quantize_with(float x, float scale, int32_t zero_point) {
  const float scaled = x / scale;
  if (std::isnan(scaled)) return saturate_cast<T>(zero_point);
  return saturate_cast<T>(Round(static_cast<double>(scaled)) + zero_point);
}
}  // namespace

template <typename T>
T quantize_half_away(float x, float scale, int32_t zero_point) {
  return quantize_with<T, round_half_away_from_zero>(x, scale, zero_point);
}
template <typename T>
T quantize_half_even(float x, float scale, int32_t zero_point) {
  return quantize_with<T, round_half_to_even>(x, scale, zero_point);
}

#define ETCH_INSTANTIATE_QUANTIZE(T)                       \
  template T saturate_cast<T>(double);                     \
  template T quantize_half_away<T>(float, float, int32_t); \
  template T quantize_half_even<T>(float, float, int32_t);
ETCH_INSTANTIATE_QUANTIZE(int8_t)
ETCH_INSTANTIATE_QUANTIZE(uint8_t)
ETCH_INSTANTIATE_QUANTIZE(int32_t)
#undef ETCH_INSTANTIATE_QUANTIZE

}  // namespace etch::runtime
