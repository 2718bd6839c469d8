// The library side of `etch validate` and of deploy's last stage: builds the
// executors that apply to the models given, runs them over the data set in
// one pass, adds the per-layer SQNR analysis (quant::layer_errors) and the
// NPU figures, and returns what the report needs.
//   float:  the float model on the reference interpreter
//   pruned: the pruned float model (deploy with --prune)
//   int:    quant::lower_qdq(qdq model) on the reference interpreter
//   npu:    the compiled integer graph on the NPU simulator (deploy_npu.h)
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "etch/data/dataset.h"
#include "etch/eval/evaluate.h"
#include "etch/eval/fidelity.h"
#include "etch/eval/report.h"
#include "etch/ir/graph.h"

namespace etch::eval {

class CompiledNpu;

struct ValidateOptions {
  std::vector<std::string> executors;  // subset of {float, pruned, int, npu}; empty: every one that applies
  std::string target = "edge";         // preset name or target .toml, for npu
  int64_t batch = 100;
  int64_t sqnr_samples = 256;  // 0: no per-layer SQNR
};

struct ValidateModels {
  std::string label;                      // shown in messages and the report (usually the model path)
  std::optional<ir::Graph> float_graph;   // the float reference
  std::optional<ir::Graph> pruned_graph;  // float, after pruning
  std::optional<ir::Graph> qdq_graph;     // quantized (QDQ)
  std::optional<ir::Graph> int_graph;     // lower_qdq(qdq); computed when absent
  std::shared_ptr<CompiledNpu> npu;       // compiled for the target; compiled here when absent and npu is wanted
};

struct ValidateResult {
  Evaluation evaluation;
  std::vector<quant::LayerError> sqnr;
  std::string sqnr_between;
  std::optional<NpuPerf> npu;      // average per inference over the data set
  std::vector<std::string> notes;  // what was skipped and why
  // Data without labels: the integer graph's outputs against the float model's.
  std::vector<OutputFidelity> fidelity;
  std::string fidelity_between;
};

// Executor names that can run on these models, in report order.
std::vector<std::string> applicable_executors(const ValidateModels& m);

// Throws InvalidInput when a requested executor does not apply (naming what it
// needs) or the data set does not fit a model (image shape, class count).
ValidateResult run_validation(ValidateModels& m, const data::Dataset& ds, const ValidateOptions& opts);

// "float,int,npu" -> names in report order; InvalidInput for unknown names or duplicates.
std::vector<std::string> parse_executor_list(const std::string& spec);

}  // namespace etch::eval
