#include "etch/eval/deploy_report.h"

#include <fmt/format.h>

#include <filesystem>

#include "etch/eval/model_size.h"
#include "etch/eval/report.h"

namespace etch::eval {

using nlohmann::json;

json pruning_json(const std::string& spec, const compress::PruneOptions& o, const compress::PruneResult& r) {
  json j;
  std::string acc;
  auto pct = [](double v) { return v >= 0 ? fmt::format("{:.2f}%", 100 * v) : std::string("-"); };
  if (r.acc_before >= 0) acc = fmt::format("; accuracy {} → {} pruned", pct(r.acc_before), pct(r.acc_pruned));
  if (r.acc_finetuned >= 0)
    acc += fmt::format(" → {} after {} epoch(s) of fine-tuning", pct(r.acc_finetuned), o.finetune_epochs);
  j["summary"] = fmt::format("{}: parameters {} → {}, MACs {} → {}{}", spec, r.params_before, r.params_after,
                             r.macs_before, r.macs_after, acc);
  j["accuracy"] = {{"before", r.acc_before}, {"pruned", r.acc_pruned}, {"finetuned", r.acc_finetuned}};
  // Columns in display order (JSON objects would sort their keys).
  j["columns"] = {"layer",       "op",         "params before",   "params after",
                  "MACs before", "MACs after", "weight sparsity", "note"};
  j["rows"] = json::array();
  for (const compress::LayerReport& l : r.layers)
    j["rows"].push_back(
        {l.name, l.op, l.params_before, l.params_after, l.macs_before, l.macs_after, l.sparsity, l.note});
  j["warnings"] = r.warnings;
  return j;
}

json deploy_report(const DeployReportParts& p, const ValidateResult& v) {
  const DeployOptions& o = p.options;
  ReportInputs in;
  in.title = "etch deploy " + std::filesystem::path(o.model).filename().string();
  in.model = o.model;
  in.target = p.target.name;
  in.evaluation = &v.evaluation;
  in.sqnr = v.sqnr;
  in.sqnr_between = v.sqnr_between;
  std::vector<std::string> notes = v.notes;
  if (!p.sim_info.is_null()) {
    in.npu = npu_perf_from_json(p.sim_info.at("perf"));
    if (v.npu && v.npu->cycles != in.npu->cycles)
      notes.push_back(fmt::format("NPU cycles vary with the data: {} for the first image, {} on average",
                                  in.npu->cycles, v.npu->cycles));
  }
  in.sizes.push_back(graph_size("float", p.float_graph));
  if (!p.prune_info.is_null()) {
    const json& s = p.prune_info.at("size");
    in.sizes.push_back({s.at("stage"), s.at("bytes"), s.at("params")});
  }
  const json& qs = p.quant_info.at("size");
  in.sizes.push_back({qs.at("stage"), qs.at("bytes"), qs.at("params")});
  if (!p.compile_info.is_null()) in.sizes.push_back({"npu program", p.compile_info.at("program_bytes"), 0});
  in.pruning = p.prune_info;
  in.stages = json::array();
  for (const StageRun& s : p.stages) in.stages.push_back({s.name, s.detail});
  in.stages.push_back({"validate", fmt::format("{} images of {}", v.evaluation.images, v.evaluation.data_spec)});
  in.notes = notes;
  if (!v.fidelity.empty()) {
    in.fidelity = fidelity_json(v.fidelity);
    in.fidelity_between = v.fidelity_between;
  }
  return report_json(in);
}

std::string validation_summary(const json& r) {
  std::string s;
  if (r.contains("fidelity"))  // no labels: the worst output SQNR of int against float
    for (const json& f : r.at("fidelity"))
      s += (s.empty() ? "int vs float SQNR " : ", ") + f.at("output").get<std::string>() + " " +
           (f.at("sqnr_db").is_null() ? std::string("exact") : fmt::format("{:.1f} dB", f.at("sqnr_db").get<double>()));
  for (const json& e : r.at("executors"))
    s += (s.empty() ? "" : " → ") +
         fmt::format("{} {:.2f}%", e.at("name").get<std::string>(), 100 * e.at("top1").get<double>());
  return s;
}

}  // namespace etch::eval
