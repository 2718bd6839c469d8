#include "etch/eval/sim_stats_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace etch::eval {

NpuPerf npu_perf(const sim::SimStats& s, const npu::Target& t, int64_t program_bytes) {
  const double runs = std::max<int64_t>(s.runs, 1);
  auto per = [&](int64_t v) { return static_cast<int64_t>(std::llround(static_cast<double>(v) / runs)); };
  NpuPerf p;
  p.target = t.name;
  p.rows = t.rows;
  p.cols = t.cols;
  p.clock_mhz = t.clock_mhz;
  p.peak_tops = t.peak_tops();
  p.dram_gb_per_s = t.dram_gb_per_s();
  p.cycles = per(s.total.cycles);
  p.dram_bytes = per(s.total.dram_read_bytes + s.total.dram_write_bytes);
  p.energy_uj = s.total.energy_pj / runs / 1e6;
  p.program_bytes = program_bytes;
  for (size_t i = 0; i < s.layers.size(); ++i) {
    const sim::LayerStats& l = s.layers[i];
    LayerPerf lp;
    lp.name = i < s.layer_info.size() ? s.layer_info[i].name : fmt::format("layer{}", i);
    lp.op = i < s.layer_info.size() ? s.layer_info[i].kind : "";
    lp.cycles = per(l.cycles);
    lp.load_stall_cycles = per(l.compute_wait_load);
    lp.store_stall_cycles = per(l.compute_wait_store);
    // Whatever is not waiting on a DMA queue is the layer's own work (array,
    // vector unit, fill/drain).
    lp.compute_cycles = std::max<int64_t>(0, lp.cycles - lp.load_stall_cycles - lp.store_stall_cycles);
    lp.utilization = sim::SimStats::utilization(l, t);
    lp.macs = per(l.macs);
    lp.dram_bytes = per(l.dram_read_bytes + l.dram_write_bytes);
    lp.energy_uj = l.energy_pj / runs / 1e6;
    p.layers.push_back(lp);
  }
  return p;
}

nlohmann::json to_json(const sim::SimStats& s, const npu::Target& t, int64_t program_bytes) {
  nlohmann::json j = npu_perf_json(npu_perf(s, t, program_bytes));
  j["images"] = s.runs;
  return j;
}

}  // namespace etch::eval
