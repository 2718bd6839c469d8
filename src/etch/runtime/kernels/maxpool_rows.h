// The inner row of a 2x2 stride-2 int8 max pool on AVX2: a scalar loop cannot
// use a byte max on the SSE2 baseline the library is built for, and at batch 1
// the pools of a small int8 CNN cost as much as a fifth of its time.
#pragma once
#include <cstdint>

namespace etch::runtime {

// y[o] = max(r0[2o], r0[2o + 1], r1[2o], r1[2o + 1]) for the leading outputs
// of [0, n) it covers, and returns how many: all of them with AVX-512BW, the
// whole 16-output blocks with AVX2, none without. Rows hold at least 2n bytes.
int64_t max_pool_2x2_rows_i8(const int8_t* r0, const int8_t* r1, int8_t* y, int64_t n);

}  // namespace etch::runtime
