// The systolic array's multiply-accumulate, as the simulator computes it:
// acc[p] += sum_j w[j] * x_j[p] over k weights and n pixels, all integers, so
// any order of the additions gives the same int32 results (wrapping as the
// hardware's accumulators do).
//
// The pixels' im2col values are stored in pairs of consecutive k, interleaved
// per pixel (pair q, pixel p at [q][p][2]): with AVX2 one vpmaddwd then
// multiplies two int16 inputs by two weights and adds them into a 32-bit lane,
// where a planar layout needs separate low/high multiplies and unpacks.
#pragma once
#include <cstdint>

namespace etch::sim {

// Pairs of k for k weights: an odd k gets a zero input row (and weight).
inline int64_t madd_pairs(int64_t k) { return (k + 1) / 2; }

// acc[0, n) += sum over j < 2*pairs of w[j] * x[j / 2][p][j % 2]; w holds
// 2*pairs weights (the last one 0 for an odd k).
void accumulate_pairs(int32_t* acc, const int16_t* x, const int16_t* w, int64_t pairs, int64_t n);
// The same for `cols` columns over the same inputs: acc[c] += w[c] . x for
// c < cols (AVX-512 VNNI, where the CPU has it, keeps four columns'
// accumulators in registers; otherwise one column at a time).
void accumulate_pair_columns(int32_t* const* acc, const int16_t* x, const int16_t* const* w, int64_t cols,
                             int64_t pairs, int64_t n);

// One pixel row of a pair: dst[2i] = r0[i*stride], dst[2i+1] = r1[i*stride]
// (0 when r1 is null: an odd k's padding row), for i < n, widened to int16.
void interleave_pair_row(int16_t* dst, const int8_t* r0, const int8_t* r1, int64_t n, int64_t stride);

}  // namespace etch::sim
