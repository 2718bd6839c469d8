// The systolic array's multiply-accumulate, as the simulator computes it:
// acc[p] += sum_j w[j] * x_j[p] over k weights and n pixels, all integers, so
// any order of the additions gives the same int32 results (wrapping as the
// hardware's accumulators do).
//
// The pixels' im2col values are stored in groups of consecutive k,
// interleaved per pixel, in one of two layouts chosen by the CPU
// (madd_layout()):
// - Quads (AVX-512 VNNI): four k per pixel as bytes x + 128 ([q][p][4]
//   uint8), so one vpdpbusd multiplies four unsigned inputs by four signed
//   weights and adds them into a 32-bit lane; the 128·Σw the offset added is
//   taken off each column's accumulators once.
// - Pairs (otherwise): two k per pixel as int16 ([q][p][2]), for vpmaddwd,
//   which multiplies two int16 inputs by two weights and adds them.
// Weights are int8 rows padded with zeros to whole quads (which are whole
// pairs too); a padded k has a zero weight, so its input never matters.
#pragma once
#include <cstdint>

namespace etch::sim {

enum class MaddLayout { Pairs, Quads };
MaddLayout madd_layout();

inline int64_t madd_pairs(int64_t k) { return (k + 1) / 2; }
inline int64_t madd_quads(int64_t k) { return (k + 3) / 4; }
// Length of a weight row for k weights (zero-padded to whole quads).
inline int64_t madd_weight_stride(int64_t k) { return 4 * madd_quads(k); }
// A weight row as both layouts hold it: dst[0, k) = w[0, k), dst[k, stride)
// = 0. Returns the sum of the k weights.
int32_t copy_weight_row(const int8_t* w, int64_t k, int64_t stride, int8_t* dst);

// Pairs: acc[0, n) += sum over j < 2*pairs of w[j] * x[j / 2][p][j % 2].
void accumulate_pairs(int32_t* acc, const int16_t* x, const int8_t* w, int64_t pairs, int64_t n);
// The same for `cols` columns over the same inputs: acc[c] += w[c] . x.
void accumulate_pair_columns(int32_t* const* acc, const int16_t* x, const int8_t* const* w, int64_t cols, int64_t pairs,
                             int64_t n);
// One pixel row of a pair: dst[2i] = r0[i*stride], dst[2i+1] = r1[i*stride]
// (0 when r1 is null: an odd k's padding row), for i < n, widened to int16.
void interleave_pair_row(int16_t* dst, const int8_t* r0, const int8_t* r1, int64_t n, int64_t stride);

// Quads: acc[c][0, n) += sum over j < 4*quads of w[c][j] * (x[j / 4][p][j % 4] − 128)
// for c < cols; wsum[c] is the sum of w[c]'s weights. Any CPU (AVX-512 VNNI
// keeps four columns × 64 pixels in registers).
void accumulate_quad_columns(int32_t* const* acc, const uint8_t* x, const int8_t* const* w, const int32_t* wsum,
                             int64_t cols, int64_t quads, int64_t n);
// One pixel row of a quad: dst[4i + j] = rows[j][i*stride] + 128 for j < 4
// (128, i.e. 0, where rows[j] is null: padding past k), for i < n.
void interleave_quad_row(uint8_t* dst, const int8_t* const* rows, int64_t n, int64_t stride);

}  // namespace etch::sim
