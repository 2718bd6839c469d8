// The simulator's architectural state (DRAM, the three SRAM buffers, the
// array's weight registers) and the numeric effect of each instruction, run on
// a whole tile at once. Timing lives in simulator.cc; vector-unit
// instructions are reached through sim/vector_exec.h.
#pragma once
#include <cstdint>
#include <vector>

#include "etch/npu/program.h"

namespace etch::sim {

struct Machine {
  explicit Machine(const npu::Program& p);

  const npu::Program& prog;
  std::vector<int8_t> dram;
  std::vector<int8_t> ibuf;  // input (unified activation) buffer
  std::vector<int8_t> wbuf;  // weight buffer
  std::vector<int32_t> acc;  // accumulator buffer, int32 entries
  // The array's weights, expanded to dense int16 [m][k rounded up to even]: the shadow set is
  // written by PRELOAD, a MATMUL with swap makes it the active set.
  std::vector<int16_t> shadow, active;
  int64_t shadow_m = 0, shadow_k = 0, active_m = 0, active_k = 0;
  bool shadow_valid = false, active_valid = false, shadow_sparse = false, active_sparse = false;
  std::vector<int16_t> xcol;                // im2col scratch, pairs of k interleaved per pixel (array_madd.h)
  std::vector<int64_t> k_offsets;           // a MATMUL's input offset per reduction index
  std::vector<int32_t*> acc_rows;           // a MATMUL's accumulator row per column
  std::vector<const int16_t*> weight_rows;  // and its weights

  void dma(const npu::Instr& in, bool load);
  void preload(const npu::Instr& in);
  void matmul(const npu::Instr& in, size_t index);
  void requant(const npu::Instr& in);
  void pool(const npu::Instr& in);
  void add(const npu::Instr& in);
  void lut(const npu::Instr& in);
  void copy(const npu::Instr& in);
};

}  // namespace etch::sim
