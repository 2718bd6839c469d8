#include "etch/eval/deploy.h"

#include <chrono>
#include <tuple>

#include "etch/compress/prune.h"
#include "etch/eval/deploy_stages.h"
#include "etch/eval/interrupt.h"
#include "etch/quant/cross_layer_equalization.h"

namespace etch::eval {
namespace {

struct StageTimer {
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); }
};

std::pair<std::string, std::string> resolve_data(const DeployOptions& o) {
  std::string train = o.train_data, eval = o.eval_data;
  // A bare family name means its train split for fitting and its test split for measuring.
  const bool family = o.data.find(':') == std::string::npos;
  if (train.empty()) train = family ? o.data + ":train" : o.data;
  if (eval.empty()) eval = family ? o.data + ":test" : o.data;
  return {train, eval};
}

}  // namespace

DeployResult run_deploy(const DeployOptions& o, const std::function<void(int, int, const std::string&)>& on_start,
                        const std::function<void(int, int, const StageRun&)>& on_end) {
  ETCH_REQUIRE(!o.out_dir.empty(), InvalidInput) << "deploy: give an output folder (-o DIR)";
  ETCH_REQUIRE(o.bits == 8 || o.bits == 4, InvalidInput) << "--bits must be 8 or 4, got " << o.bits;
  ETCH_REQUIRE(o.finetune_epochs >= 0 && o.qat_epochs >= 0, InvalidInput) << "epochs must be >= 0";
  ETCH_REQUIRE(o.calib_samples >= 1, InvalidInput) << "--calib-samples must be at least 1";
  quant::parse_equalization(o.equalize);  // refused before any stage runs
  DeployContext c(o, quant::parse_calibration(o.calibrator));
  if (!o.prune.empty()) {
    c.prune_opts = compress::parse_prune_spec(o.prune);
    c.prune_opts->finetune_epochs = o.finetune_epochs;
    c.prune_opts->finetune_max_steps = o.finetune_max_steps;
    c.prune_opts->seed = o.seed;
    compress::validate(*c.prune_opts);
  }
  c.target = npu::resolve_target(o.target);
  c.target_toml = npu::target_to_toml(c.target);
  std::tie(c.train_spec, c.eval_spec) = resolve_data(o);

  ScopedInterruptCleanup interrupt_cleanup;
  DeployResult result;
  c.stages = &result.stages;
  const std::vector<DeployStage> stages = deploy_stages();
  const int total = static_cast<int>(stages.size());
  for (int i = 0; i < total; ++i) {
    const DeployStage& stage = stages[i];
    if (on_start) on_start(i + 1, total, stage.name);
    const StageTimer t;
    c.keys[stage.name] = stage.cache_key(c);
    StageRun run = stage.run(c);
    run.seconds = t.seconds();
    if (on_end) on_end(i + 1, total, run);
    result.stages.push_back(std::move(run));
  }
  result.report = std::move(c.report);
  std::vector<std::string> files;
  if (c.prune_opts) files.push_back("model.pruned.onnx");
  files.push_back(c.qdq_name());
  files.insert(files.end(), {"model.npu", "trace.json", "report.json", "report.html"});
  for (const std::string& f : files) result.files.push_back(c.cache->path(f));
  return result;
}

}  // namespace etch::eval
