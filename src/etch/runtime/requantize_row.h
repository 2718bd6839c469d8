// A row of int32 accumulators of one output channel to int8, vectorised:
// y[i] = requantize(acc[i] + bias, m, zero_point, act_min, act_max), the
// scalar definition in requantize.h bit for bit. The integer conv and GEMM
// kernels call it once per channel and block of positions, where the scalar
// loop cost more than the multiply-adds of a small layer.
#pragma once
#include <cstdint>

#include "etch/runtime/requantize.h"

namespace etch::runtime {

// The bias is added with int32 wrap-around, as a 32-bit accumulator does.
void requantize_row_to_int8(const int32_t* acc, int64_t count, int32_t bias, QuantizedMultiplier m, int32_t zero_point,
                            int32_t act_min, int32_t act_max, int8_t* y);

}  // namespace etch::runtime
