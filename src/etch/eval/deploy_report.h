// Assembling deploy's report from the stage results (fresh or cached), and the
// JSON forms stages store in their cache records.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "etch/compress/prune.h"
#include "etch/eval/deploy.h"
#include "etch/eval/validate.h"
#include "etch/npu/target.h"

namespace etch::eval {

struct DeployReportParts {
  const DeployOptions& options;
  const npu::Target& target;
  const ir::Graph& float_graph;
  const nlohmann::json& prune_info;  // null when pruning did not run
  const nlohmann::json& quant_info;
  const nlohmann::json& compile_info;  // null without an NPU back end
  const nlohmann::json& sim_info;      // null without an NPU back end
  const std::vector<StageRun>& stages;
};

// The pruning section: {"summary", "layers": [...], "accuracy": {...}}.
nlohmann::json pruning_json(const std::string& spec, const compress::PruneOptions& o, const compress::PruneResult& r);

nlohmann::json deploy_report(const DeployReportParts& parts, const ValidateResult& v);

// "float 91.00% → int 90.95% → npu 90.95%" from a report.
std::string validation_summary(const nlohmann::json& report);

}  // namespace etch::eval
