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
  // The array's weights, expanded to dense int8 rows [m][madd_weight_stride(k)]
  // with each row's sum (array_madd.h): the shadow set is written by PRELOAD,
  // a MATMUL with swap makes it the active set.
  std::vector<int8_t> shadow, active;
  std::vector<int32_t> shadow_sum, active_sum;
  int64_t shadow_m = 0, shadow_k = 0, active_m = 0, active_k = 0;
  bool shadow_valid = false, active_valid = false, shadow_sparse = false, active_sparse = false;
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
  void matmul(const npu::Instr& in, size_t index);
  void requant(const npu::Instr& in);
  void pool(const npu::Instr& in);
  void add(const npu::Instr& in);
  void lut(const npu::Instr& in);
  void copy(const npu::Instr& in);
};

}  // namespace etch::sim
