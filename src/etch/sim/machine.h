// The simulator's architectural state (DRAM, the three SRAM buffers, the
// array's weight registers) and the numeric effect of each instruction, run on
// a whole tile at once. Timing lives in simulator.cc; vector-unit
// instructions are reached through sim/vector_exec.h.
#pragma once
#include <cstdint>
#include <vector>

#include "etch/npu/program.h"
#include "etch/sim/array_madd.h"

namespace etch::sim {

struct Machine {
  explicit Machine(const npu::Program& p);

  const npu::Program& prog;
  std::vector<int8_t> dram;
  std::vector<int8_t> ibuf;  // input (unified activation) buffer
  std::vector<int8_t> wbuf;  // weight buffer
  std::vector<int32_t> acc;  // accumulator buffer, int32 entries
  // One of the array's two weight sets: the shadow set is written by PRELOAD,
  // a MATMUL with swap makes it the active set. A set holds its weights
  // expanded to dense int8 rows [m][madd_weight_stride(k)] with each row's
  // sum (array_madd.h), or, for a dense PRELOAD in the quads layout, only the
  // PRELOAD (`deferred`): its rows are read from the weight buffer when a
  // MATMUL appends them to the pending tile, which copies them anyway, and
  // expanded first if a LOAD is about to overwrite them.
  struct WeightSet {
    std::vector<int8_t> rows;
    std::vector<int32_t> sums;
    const npu::Instr* deferred = nullptr;
    int64_t m = 0, k = 0;
    bool valid = false, sparse = false;
  };
  WeightSet shadow, active;
  const MaddLayout layout = madd_layout();  // of the im2col scratch (array_madd.h)
  std::vector<int16_t> xpairs;              // im2col scratch: pairs of k interleaved per pixel
  std::vector<uint8_t> xquads;              // or quads of k, offset by 128
  std::vector<int64_t> k_offsets;           // a pairs-layout MATMUL's input offset per reduction index
  std::vector<int32_t*> acc_rows;           // a MATMUL's accumulator row per column
  std::vector<const int8_t*> weight_rows;   // and its weights

  // The MATMULs of one tile (its folds, quads layout) wait here and run as
  // one when the simulator calls flush(): before an instruction that may
  // write their input or touch their accumulators, and at a segment's end.
  struct PendingTile {
    int64_t folds = 0;
    const npu::Instr* first = nullptr;  // the first fold (in the program): the tile's geometry
    bool overwrite = false;             // the first fold overwrites the accumulators
    int64_t used = 0, pitch = 0;        // weights per column so far; row pitch of `weights`
    std::vector<int8_t> weights;        // [m][pitch], the folds' weights one after another
    std::vector<int32_t> weight_sum;    // per column
    std::vector<int64_t> k_offsets;     // input offset per reduction index, -1 for padding
  } pending;
  static bool same_tile(const npu::Instr& a, const npu::Instr& b);
  void append_fold(const npu::Instr& in);
  void flush();

  void dma(const npu::Instr& in, bool load);
  void preload(const npu::Instr& in, size_t index);
  void expand(WeightSet& set);
  // Row i of the weights PRELOAD `pre` reads, in the weight buffer.
  const int8_t* preload_row(const npu::Instr& pre, int64_t i) const;
  void matmul(const npu::Instr& in, size_t index);
  void requant(const npu::Instr& in);
  void pool(const npu::Instr& in);
  void add(const npu::Instr& in);
  void lut(const npu::Instr& in);
  void copy(const npu::Instr& in);
};

}  // namespace etch::sim
