// Cycle-level NPU simulator. Runs a Program (never a Graph): three in-order
// engines (load, compute, store) fed from one instruction stream, dependency
// token queues between neighbours, one shared DRAM channel with bandwidth and
// latency, a weight-stationary (or output-stationary) array with double-buffered
// weight registers and fill/drain latency, and a vector unit. Numerics run a
// whole instruction at a time (a tile), in the order the timing model starts
// instructions, so a missing dependency token shows up as wrong numbers.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "etch/npu/program.h"
#include "etch/sim/stats.h"

namespace etch::sim {

class Simulator {
 public:
  // Takes a validated program (load_program/deserialize_program validate;
  // programs built in memory are validated here).
  explicit Simulator(const npu::Program& p);
  ~Simulator();

  const npu::Program& program() const;
  // Writes/reads a tensor's interior (c x h x w int8, row-major) in DRAM.
  void write_tensor(int tensor, const int8_t* data);
  void read_tensor(int tensor, int8_t* out) const;

  // Runs segment `s` from its first instruction to its HALT; returns that
  // run's statistics. A program that deadlocks (a token nobody pushes) is an
  // InvalidInput error.
  SimStats run_segment(int s);
  // Runs every segment in order; only for programs with a single segment or
  // segments whose host parts are empty.
  SimStats run_all();

  void set_trace(std::vector<TraceEvent>* trace);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace etch::sim
