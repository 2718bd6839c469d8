// etch's integer requantization arithmetic (DESIGN.md "Quantization spec"):
// the one definition shared by the integer kernels, quant/ and the NPU
// simulator's reference. It follows TFLite bit for bit: a real multiplier is
// encoded as an int32 in [2^30, 2^31) plus a power-of-two shift, applied with
// gemmlowp's SaturatingRoundingDoublingHighMul then RoundingDivideByPOT.
#pragma once
#include <cstdint>

namespace etch::runtime {

// real ≈ multiplier · 2^(shift − 31). shift > 0 is a left shift (real ≥ 1),
// shift < 0 a right shift. multiplier is 0 (with shift 0) for real == 0 or for
// reals too small to represent (< 2^-32 after rounding).
struct QuantizedMultiplier {
  int32_t multiplier = 0;
  int shift = 0;
  bool operator==(const QuantizedMultiplier&) const = default;
};

// TFLite's QuantizeMultiplier. real must be finite and ≥ 0 (throws
// InvalidInput otherwise). Reals ≥ 2^31 saturate to {INT32_MAX, 30}.
QuantizedMultiplier quantize_multiplier(double real);

// gemmlowp primitives, re-exported so callers need not include gemmlowp.
int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b);  // round(a·b / 2^31), saturating
int32_t rounding_divide_by_pot(int32_t x,
                               int exponent);  // round(x / 2^exponent), ties away from 0; exponent in [0, 31]

// TFLite's MultiplyByQuantizedMultiplier: x · m · 2^(shift − 31), rounded.
// shift in [-31, 30]. Results that do not fit in int32 (only possible with a
// left shift) saturate; TFLite's reference overflows there (undefined
// behaviour), everywhere else the two agree bit for bit.
int32_t multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift);
inline int32_t multiply_by_quantized_multiplier(int32_t x, QuantizedMultiplier m) {
  return multiply_by_quantized_multiplier(x, m.multiplier, m.shift);
}

// a + b with int32 wrap-around, the arithmetic of a 32-bit accumulator.
inline int32_t wrapping_add(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}

// An int32 accumulator to an output integer: scaled, offset by zero_point and
// clamped to [act_min, act_max] (the activation range, e.g. [zp, 127] after a
// fused ReLU).
int32_t requantize(int32_t acc, QuantizedMultiplier m, int32_t zero_point, int32_t act_min, int32_t act_max);
int8_t requantize_to_int8(int32_t acc, QuantizedMultiplier m, int32_t zero_point, int32_t act_min = -128,
                          int32_t act_max = 127);

// Rounding to the nearest integer, as double (exact for all floats).
double round_half_away_from_zero(double v);  // TFLite, C's round()
double round_half_to_even(double v);         // ONNX QuantizeLinear, numpy.rint

// real → integer of type T (int8_t, uint8_t or int32_t) as
// saturate(round(x / scale) + zero_point); x / scale is computed in float, as
// both TFLite and ONNX do. NaN maps to zero_point.
template <typename T>
T quantize_half_away(float x, float scale, int32_t zero_point);  // TFLite
template <typename T>
T quantize_half_even(float x, float scale, int32_t zero_point);  // ONNX QuantizeLinear

// Saturating conversion of an already-rounded value.
template <typename T>
T saturate_cast(double v);

}  // namespace etch::runtime
