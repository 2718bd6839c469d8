#include "etch/eval/compile_summary.h"

#include <algorithm>

namespace etch::eval {

double predicted_utilization(const compiler::LayerReport& l, const npu::Target& t) {
  return l.macs / (double(t.rows) * t.cols * std::max<int64_t>(1, l.predicted_cycles));
}

nlohmann::json compile_summary_json(const compiler::CompiledModel& m, const npu::Target& t) {
  nlohmann::json j;
  j["placements"] = nlohmann::json::array();
  for (const auto& p : m.placements)
    j["placements"].push_back(
        {{"node", p.node}, {"op", p.op}, {"on", p.npu ? "npu" : "host"}, {"why", p.reason}, {"macs", p.macs}});
  const compiler::MacShare share = compiler::mac_share(m);
  j["npu_macs"] = share.npu;
  j["host_macs"] = share.host;
  j["layers"] = nlohmann::json::array();
  for (const auto& l : m.layers) {
    if (!l.has_plan) {
      j["layers"].push_back({{"name", l.name}, {"kind", l.kind}});
      continue;
    }
    j["layers"].push_back({{"name", l.name},
                           {"kind", l.kind},
                           {"macs", l.macs},
                           {"tiling", l.plan.str()},
                           {"tm", l.plan.tm},
                           {"tc", l.plan.tc},
                           {"th", l.plan.th},
                           {"tw", l.plan.tw},  // 0: full width
                           {"row_phases", l.plan.row_phases},
                           {"resident_weights", l.plan.resident_weights},
                           {"resident_input", l.plan.resident_input},
                           {"m_outer", l.plan.m_outer},
                           {"c_outer", l.plan.c_outer},
                           {"double_buffer", l.plan.double_buffer},
                           {"requant_lag", l.plan.requant_lag},  // 0: out_slots - 1
                           {"input_on_chip", l.input_on_chip},
                           {"output_on_chip", l.output_on_chip},
                           {"predicted_cycles", l.predicted_cycles},
                           {"naive_predicted_cycles", l.naive.predicted_cycles},
                           {"utilization", predicted_utilization(l, t)},
                           {"sparse", l.sparse}});
  }
  j["instructions"] = m.program.instrs.size();
  j["weight_bytes"] = m.program.weight_image.size();
  j["segments"] = m.program.segments.size();
  j["standalone"] = m.standalone;
  return j;
}

}  // namespace etch::eval
