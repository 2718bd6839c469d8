// Chrome trace / Perfetto JSON: one thread per engine, one slice per
// instruction, timestamps in microseconds at the target clock.
#include <nlohmann/json.hpp>

#include "etch/sim/stats.h"

namespace etch::sim {

std::string trace_json(const std::vector<TraceEvent>& events, const npu::Program& p) {
  static const char* const kNames[4] = {"load (DMA)", "compute (array)", "store (DMA)", "vector unit"};
  nlohmann::json ev = nlohmann::json::array();
  for (int e = 0; e < 4; ++e)
    ev.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", e}, {"args", {{"name", kNames[e]}}}});
  const double us_per_cycle = 1.0 / p.target.clock_mhz;
  for (const TraceEvent& t : events) {
    nlohmann::json args = {{"cycles", t.dur}, {"start_cycle", t.start}};
    if (t.layer >= 0 && t.layer < static_cast<int>(p.layers.size())) args["layer"] = p.layers[t.layer].name;
    ev.push_back({{"name", t.name},
                  {"ph", "X"},
                  {"pid", 1},
                  {"tid", t.engine},
                  {"ts", t.start * us_per_cycle},
                  {"dur", t.dur * us_per_cycle},
                  {"args", args}});
  }
  return nlohmann::json{{"traceEvents", ev}, {"displayTimeUnit", "ns"}}.dump();
}

}  // namespace etch::sim
