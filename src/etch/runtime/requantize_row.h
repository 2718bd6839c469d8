// Rows of etch's quantization arithmetic, vectorised where the CPU has AVX2,
// each bit-identical to the scalar definitions in requantize.h (which the
// tests compare them with):
// - a row of int32 accumulators of one output channel to int8, as the integer
//   conv and GEMM kernels end (the scalar loop cost more than the
//   multiply-adds of a small layer);
// - QAdd (TFLite's int8 ADD) on two rows of the same length;
// - ONNX QuantizeLinear on a row of floats, with which the integer graph
//   starts on every input.
#pragma once
#include <cstdint>

#include "etch/runtime/requantize.h"

namespace etch::runtime {

// y[i] = requantize(acc[i] + bias, m, zero_point, act_min, act_max); the bias
// is added with int32 wrap-around, as a 32-bit accumulator does.
void requantize_row_to_int8(const int32_t* acc, int64_t count, int32_t bias, QuantizedMultiplier m, int32_t zero_point,
                            int32_t act_min, int32_t act_max, int8_t* y);

// TFLite's int8 ADD: both inputs centered, shifted left by left_shift (≤ 23,
// so (q − zp)·2^left fits in int32), rescaled by ma / mb, summed, requantized.
struct AddRequant {
  int32_t a_zero_point = 0, b_zero_point = 0;
  int left_shift = 0;
  QuantizedMultiplier a, b, y;
  int32_t y_zero_point = 0, act_min = -128, act_max = 127;
};
int8_t add_int8(int32_t a, int32_t b, const AddRequant& p);  // the scalar definition
void add_row_int8(const int8_t* a, const int8_t* b, int64_t count, const AddRequant& p, int8_t* y);

// y[i] = quantize_half_even<T>(x[i], scale, zero_point) for T int8_t or
// uint8_t: x / scale in float, rounded half to even, offset, saturated; NaN
// gives the zero point.
template <typename T>
void quantize_row_half_even(const float* x, int64_t count, float scale, int32_t zero_point, T* y);

}  // namespace etch::runtime
