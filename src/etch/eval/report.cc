#include "etch/eval/report.h"

#include <algorithm>
#include <cmath>

#include "etch/eval/utilization.h"

namespace etch::eval {
namespace {

using nlohmann::json;

// JSON has no infinity: an SQNR of +inf (no error, or no weights) is null.
json number_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json scores_json(const ClassScores& s) {
  return {{"precision", s.precision},
          {"recall", s.recall},
          {"f1", s.f1},
          {"support", s.support},
          {"predicted", s.predicted}};
}

json executor_json(const ExecutorEval& e) {
  const ClassificationSummary& m = e.metrics;
  json j = {{"name", e.name},
            {"images", m.images},
            {"correct", m.confusion.correct()},
            {"top1", m.top1},
            {"top5", m.top5 >= 0 ? json(m.top5) : json(nullptr)},
            {"macro", scores_json(m.macro)},
            {"weighted", scores_json(m.weighted)}};
  for (const ClassScores& s : m.per_class) j["per_class"].push_back(scores_json(s));
  json cm = json::array();
  for (int64_t t = 0; t < m.confusion.classes(); ++t) {
    json row = json::array();
    for (int64_t p = 0; p < m.confusion.classes(); ++p) row.push_back(m.confusion.at(t, p));
    cm.push_back(row);
  }
  j["confusion"] = cm;
  return j;
}

}  // namespace

std::optional<double> NpuPerf::utilization_of(bool depthwise) const {
  UtilizationSum sum;
  for (const LayerPerf& l : layers)
    if (l.macs > 0 && UtilizationSum::depthwise(l.op) == depthwise) sum.add(l.macs, l.cycles, rows, cols);
  return sum.value();
}

json npu_perf_json(const NpuPerf& p) {
  json j = {{"target", p.target},
            {"rows", p.rows},
            {"cols", p.cols},
            {"clock_mhz", p.clock_mhz},
            {"peak_tops", p.peak_tops},
            {"dram_gb_per_s", p.dram_gb_per_s},
            {"cycles", p.cycles},
            {"latency_ms", p.latency_ms()},
            {"inferences_per_s", p.inferences_per_s()},
            {"energy_uj", p.energy_uj},
            {"dram_bytes", p.dram_bytes},
            {"program_bytes", p.program_bytes},
            {"layers", json::array()}};
  for (const LayerPerf& l : p.layers)
    j["layers"].push_back({{"name", l.name},
                           {"op", l.op},
                           {"cycles", l.cycles},
                           {"compute_cycles", l.compute_cycles},
                           {"load_stall_cycles", l.load_stall_cycles},
                           {"store_stall_cycles", l.store_stall_cycles},
                           {"utilization", l.utilization},
                           {"macs", l.macs},
                           {"dram_bytes", l.dram_bytes},
                           {"energy_uj", l.energy_uj}});
  auto or_null = [](std::optional<double> v) { return v ? json(*v) : json(nullptr); };
  j["dense_utilization"] = or_null(p.utilization_of(false));
  j["depthwise_utilization"] = or_null(p.utilization_of(true));
  return j;
}

json report_json(const ReportInputs& in) {
  ETCH_CHECK(in.evaluation != nullptr) << "report without an evaluation";
  const Evaluation& ev = *in.evaluation;
  json j;
  j["format"] = "etch-report/1";
  j["title"] = in.title;
  j["model"] = in.model;
  j["data"] = ev.data_spec;
  j["images"] = ev.images;
  j["target"] = in.target.empty() ? json(nullptr) : json(in.target);
  j["class_names"] = ev.class_names;
  j["executors"] = json::array();
  for (const ExecutorEval& e : ev.executors) j["executors"].push_back(executor_json(e));
  j["agreement"] = json::array();
  for (const PairAgreement& p : ev.pairs)
    j["agreement"].push_back({{"a", p.a},
                              {"b", p.b},
                              {"rate", p.agreement.rate()},
                              {"same", p.agreement.same()},
                              {"images", p.agreement.images()},
                              {"max_abs_logit_diff", p.agreement.max_abs_diff()},
                              {"mean_abs_logit_diff", p.agreement.mean_abs_diff()}});
  j["sqnr_between"] = in.sqnr_between;
  j["sqnr"] = json::array();
  std::vector<quant::LayerError> s = in.sqnr;
  std::stable_sort(s.begin(), s.end(),
                   [](const quant::LayerError& a, const quant::LayerError& b) { return a.sqnr_db < b.sqnr_db; });
  for (const quant::LayerError& l : s)
    j["sqnr"].push_back({{"layer", l.node},
                         {"op", l.op},
                         {"value", l.value},
                         {"sqnr_db", number_or_null(l.sqnr_db)},
                         {"weight_sqnr_db", number_or_null(l.weight_sqnr_db)},
                         {"act_sqnr_db", number_or_null(l.act_sqnr_db)},
                         {"dominant", l.dominant}});
  j["npu"] = in.npu ? npu_perf_json(*in.npu) : json(nullptr);
  j["sizes"] = json::array();
  for (const SizeEntry& e : in.sizes) j["sizes"].push_back(size_json(e));
  j["pruning"] = in.pruning;
  j["stages"] = in.stages;
  j["notes"] = in.notes.is_null() ? json::array() : in.notes;
  if (!in.fidelity.is_null()) {
    j["fidelity"] = in.fidelity;
    j["fidelity_between"] = in.fidelity_between;
  }
  return j;
}

NpuPerf npu_perf_from_json(const json& j) {
  NpuPerf p;
  p.target = j.at("target");
  p.rows = j.at("rows");
  p.cols = j.at("cols");
  p.clock_mhz = j.at("clock_mhz");
  p.peak_tops = j.at("peak_tops");
  p.dram_gb_per_s = j.at("dram_gb_per_s");
  p.cycles = j.at("cycles");
  p.energy_uj = j.at("energy_uj");
  p.dram_bytes = j.at("dram_bytes");
  p.program_bytes = j.at("program_bytes");
  for (const json& l : j.at("layers"))
    p.layers.push_back({l.at("name"), l.at("op"), l.at("cycles"), l.at("compute_cycles"), l.at("load_stall_cycles"),
                        l.at("store_stall_cycles"), l.at("utilization"), l.at("macs"), l.at("dram_bytes"),
                        l.at("energy_uj")});
  return p;
}

json size_json(const SizeEntry& s) { return {{"stage", s.stage}, {"bytes", s.bytes}, {"params", s.params}}; }

std::optional<double> report_accuracy(const nlohmann::json& report, const std::string& executor) {
  for (const auto& e : report.at("executors"))
    if (e.at("name") == executor) return e.at("top1").get<double>();
  return std::nullopt;
}

}  // namespace etch::eval
