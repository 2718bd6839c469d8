// What the simulator reports, per layer and in total.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "etch/npu/program.h"

namespace etch::sim {

struct LayerStats {
  int64_t cycles = 0;          // from the end of the layers before it (in program order) to its last completion
  int64_t array_cycles = 0;    // cycles the array's input port was streaming (MATMUL issue cycles)
  int64_t preload_cycles = 0;  // cycles spent shifting weights into the array (overlaps streaming)
  int64_t vector_cycles = 0;   // cycles the vector unit was busy
  int64_t macs = 0;            // useful multiply-accumulates (zeros skipped by 2:4 sparsity, or multiplied
                               // between packed groups, not counted)
  int64_t array_slots = 0;     // rows x cols x array_cycles: MAC slots offered while streaming
  // Stalls: cycles an engine waited for a token from its neighbour.
  int64_t load_wait_compute = 0;   // load engine waiting for a buffer to be freed
  int64_t compute_wait_load = 0;   // compute engine waiting for data
  int64_t compute_wait_store = 0;  // compute engine waiting for an output buffer to drain
  int64_t store_wait_compute = 0;  // store engine waiting for results
  int64_t dram_contention = 0;     // DMA waiting for the shared DRAM channel
  int64_t dram_read_bytes = 0, dram_write_bytes = 0, sram_bytes = 0;
  double energy_pj = 0;
  int64_t instructions = 0;

  void add(const LayerStats& o);
};

struct SimStats {
  std::vector<npu::LayerInfo> layer_info;
  std::vector<LayerStats> layers;  // indexed like Program::layers
  LayerStats total;                // total.cycles = wall-clock cycles of all segments run
  int64_t runs = 0;                // images (segment sequences) accumulated

  void add(const SimStats& o);
  // Array utilization: useful MACs / (rows x cols x cycles).
  static double utilization(const LayerStats& s, const npu::Target& t) {
    return s.cycles > 0 ? static_cast<double>(s.macs) / (static_cast<double>(t.rows) * t.cols * s.cycles) : 0;
  }
  static double latency_ms(int64_t cycles, const npu::Target& t) { return cycles / (t.clock_mhz * 1e3); }
};

// One engine activity for a Chrome/Perfetto trace (--trace).
struct TraceEvent {
  int engine;  // 0 load, 1 compute (array), 2 store, 3 vector unit
  std::string name;
  int64_t start, dur;
  int layer;
};

std::string trace_json(const std::vector<TraceEvent>& events, const npu::Program& p);

}  // namespace etch::sim
