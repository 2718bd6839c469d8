// The report of `etch validate` / `etch deploy` as one JSON document
// (report.json); the HTML page and the terminal summary are rendered from that
// document alone, so all three always agree. Everything in it is
// reproducible: host wall times are left out (the terminal shows them), so the
// same inputs give byte-identical reports.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "etch/eval/evaluate.h"
#include "etch/quant/layer_report.h"

namespace etch::eval {

// Simulated performance of one layer (one NPU operation group).
struct LayerPerf {
  std::string name, op;
  int64_t cycles = 0;  // total, = compute + load stalls + store stalls (+ other)
  int64_t compute_cycles = 0;
  int64_t load_stall_cycles = 0;   // compute waiting for DMA loads
  int64_t store_stall_cycles = 0;  // compute waiting for DMA stores / buffer space
  double utilization = 0;          // useful MACs / (rows·cols·cycles), in [0, 1]
  int64_t macs = 0;
  int64_t dram_bytes = 0;
  double energy_uj = 0;
};

struct NpuPerf {
  std::string target;
  int rows = 0, cols = 0;
  double clock_mhz = 0, peak_tops = 0, dram_gb_per_s = 0;
  int64_t cycles = 0;      // per inference (one image)
  int64_t dram_bytes = 0;  // per inference
  double energy_uj = 0;    // per inference
  int64_t program_bytes = 0;
  std::vector<LayerPerf> layers;
  double latency_ms() const { return clock_mhz > 0 ? cycles / (clock_mhz * 1e3) : 0; }
  double inferences_per_s() const { return cycles > 0 ? clock_mhz * 1e6 / cycles : 0; }
  // Array utilization of the depthwise convolutions ("dwconv" layers) or of
  // the other layers that do MACs (dense conv, gemm): their MACs over
  // rows·cols·their cycles, so MAC-weighted; nullopt when there are none.
  std::optional<double> utilization_of(bool depthwise) const;
};

struct SizeEntry {
  std::string stage;  // "float", "pruned", "int8", "npu program"
  int64_t bytes = 0;
  int64_t params = 0;  // 0 if not meaningful
};

struct ReportInputs {
  std::string title;  // e.g. "etch deploy cnn.onnx"
  std::string model;
  std::string target;  // "" when no target applies
  const Evaluation* evaluation = nullptr;
  // quant::layer_errors (float vs dequantized integer activations); any
  // order, stored worst first.
  std::vector<quant::LayerError> sqnr;
  std::string sqnr_between;  // e.g. "float vs int, first 256 images"
  std::optional<NpuPerf> npu;
  std::vector<SizeEntry> sizes;
  // null when pruning did not run; else {"summary": text, "columns": [names],
  // "rows": [[cells]], ...}.
  nlohmann::json pruning;
  nlohmann::json stages;  // deploy: [[stage, what it produced]], null for validate
  nlohmann::json notes;   // array of strings shown on the page, or null
  // Data without labels: fidelity_json() of the integer graph against the
  // float model, and what was compared; null (and left out of the report) otherwise.
  nlohmann::json fidelity;
  std::string fidelity_between;
};

nlohmann::json report_json(const ReportInputs& in);

// NpuPerf <-> its report.json form (deploy caches simulation results this way).
nlohmann::json npu_perf_json(const NpuPerf& p);
NpuPerf npu_perf_from_json(const nlohmann::json& j);
nlohmann::json size_json(const SizeEntry& s);

// Accuracy of an executor in a report, or nullopt if it did not run.
std::optional<double> report_accuracy(const nlohmann::json& report, const std::string& executor);

}  // namespace etch::eval
