// The inner row of a 2x2 stride-2 max pool, int8 and float, on AVX2 or
// AVX-512: a scalar loop cannot use a vector max on the SSE2 baseline the
// library is built for, and the pools of a small CNN cost as much as a fifth
// of its time (int8 at batch 1, fp32 at batch 64 with the pool fused into the
// conv).
#pragma once
#include <cstdint>

namespace etch::runtime {

// y[o] = max(r0[2o], r0[2o + 1], r1[2o], r1[2o + 1]) for the leading outputs
// of [0, n) it covers, and returns how many: all of them with AVX-512BW, the
// whole 16-output blocks with AVX2, none without. Rows hold at least 2n bytes.
int64_t max_pool_2x2_rows_i8(const int8_t* r0, const int8_t* r1, int8_t* y, int64_t n);

// The same for floats, over `pairs` consecutive row pairs of width w: pair q
// reads rows 2q and 2q + 1 of x and writes n outputs at y + q·n, with
// MaxPool's comparisons in its order (NaN and signed zeros as the scalar loop
// gives them). Returns the leading outputs of each row it wrote: all n with
// AVX-512, the whole 8-output blocks with AVX2, none without. One call per
// plane, not per row: a small CNN's rows have 7 or 14 outputs.
int64_t max_pool_2x2_f32(const float* x, int64_t w, int64_t pairs, int64_t n, float* y);

}  // namespace etch::runtime
