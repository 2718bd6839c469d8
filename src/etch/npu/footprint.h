// What an instruction occupies on the NPU: the bytes of its operands in the
// buffers and the cycles it keeps its unit busy. The simulator charges these,
// the validator checks against them and the compiler plans and times with
// them, so every number here is the one hardware contract (docs/npu-isa.md).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "etch/npu/target.h"

namespace etch::npu {

// REQUANT's per-channel parameter block for m channels, in the weight buffer:
// bias[m] int32, then multiplier[m] int32, then shift[m] int8, then (a
// REQUANT with `table` set) the 256-entry int8 table its results go through,
// indexed by result + 128: an element-wise function fused into the layer.
constexpr int64_t kRequantParamBytes = 9;  // per output channel
constexpr int64_t kTableBytes = 256;
constexpr int64_t requant_params_bytes(int64_t m, bool table = false) {
  return kRequantParamBytes * m + (table ? kTableBytes : 0);
}
constexpr int64_t requant_table_offset(int64_t m) { return kRequantParamBytes * m; }
constexpr int64_t requant_bias_offset(int64_t /*m*/, int64_t i) { return 4 * i; }
constexpr int64_t requant_mult_offset(int64_t m, int64_t i) { return 4 * m + 4 * i; }
constexpr int64_t requant_shift_offset(int64_t m, int64_t i) { return 8 * m + i; }

// 2:4 structured sparsity: every group of 4 reduction weights keeps 2 values
// and one metadata byte (their two positions), so k weights occupy k / 2 value
// bytes and k / 4 metadata bytes; a sparse fold's k is a multiple of 4 of at
// most 2 x rows.
constexpr int64_t kSparseGroup = 4;
constexpr int64_t sparse_value_bytes(int64_t k) { return k / 2; }
constexpr int64_t sparse_meta_bytes(int64_t k) { return k / kSparseGroup; }
// Weights per column a PRELOAD shifts in and a MATMUL reduces over: a 2:4
// tile of logical length k stores (and the array runs) only its k / 2 values.
constexpr int64_t stored_k(int64_t k, bool sparse) { return sparse ? sparse_value_bytes(k) : k; }
inline int64_t sparse_max_k(const Target& t) {
  return std::max<int64_t>(kSparseGroup, (2 * t.rows) / kSparseGroup * kSparseGroup);
}

// One accumulator entry is an int32.
constexpr int64_t kAccumulatorEntryBytes = 4;

// Pipeline cycles added to every vector-unit op (REQUANT, POOL, ADD, LUT, COPY, MUL).
constexpr int64_t kVectorLatency = 2;

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Cycles a transfer of `bytes` occupies the one DRAM channel (at least one);
// its data arrives dram_latency_cycles later.
inline int64_t dram_occupancy(int64_t bytes, const Target& t) {
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(bytes / t.dram_bytes_per_cycle)));
}
// Cycles a PRELOAD of k physical weights per column occupies the shadow
// registers (weight-stationary: one row shifts in per cycle).
inline int64_t preload_cycles(int64_t kphys, const Target& t) {
  return t.dataflow == Dataflow::WeightStationary ? kphys : 1;
}
// Cycles a MATMUL over n output pixels and k physical reductions keeps the
// array busy (weight-stationary: one pixel per cycle; output-stationary: the
// reduction streams through for every group of rows pixels).
inline int64_t matmul_stream_cycles(int64_t n, int64_t kphys, const Target& t) {
  return t.dataflow == Dataflow::WeightStationary ? n : ceil_div(n, t.rows) * kphys;
}
// Cycles after the stream until a MATMUL over m columns has written its
// accumulators: partial sums leave at the bottom of the array after the last
// input has skewed across the columns in use.
inline int64_t matmul_drain_cycles(int64_t m, const Target& t) { return t.rows + m - 1; }
// Cycles a vector-unit op over `elems` elements occupies the vector unit.
inline int64_t vector_cycles(int64_t elems, const Target& t) {
  return ceil_div(elems, t.vector_lanes) + kVectorLatency;
}

}  // namespace etch::npu
