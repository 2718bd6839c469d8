// ONNX QuantizeLinear on a row of floats, vectorised where the CPU has AVX2:
// y[i] = quantize_half_even<T>(x[i], scale, zero_point) (requantize.h) bit for
// bit: x / scale in float, rounded half to even, offset, saturated; NaN gives
// the zero point. The integer graph starts with it on every input.
#pragma once
#include <cstdint>

namespace etch::runtime {

template <typename T>  // int8_t or uint8_t
void quantize_row_half_even(const float* x, int64_t count, float scale, int32_t zero_point, T* y);

}  // namespace etch::runtime
