// The stages of `etch deploy` as a list of objects, each with a name, a cache
// key and a run step; run_deploy walks the list. A stage's key hashes its
// inputs' content and options (and the keys of the stages it reads), so an
// unchanged stage is reused from OUT/.etch-cache (stage_cache.h).
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "etch/compress/prune_options.h"
#include "etch/data/dataset.h"
#include "etch/eval/deploy.h"
#include "etch/eval/deploy_npu.h"
#include "etch/eval/stage_cache.h"
#include "etch/ir/graph.h"
#include "etch/npu/target.h"
#include "etch/quant/calibrator.h"

namespace etch::eval {

// What the stages share: the options, what earlier stages produced (loaded
// from the cache on demand when a stage was reused), and the stage keys.
struct DeployContext {
  DeployContext(const DeployOptions& opts, quant::Calibration cal) : o(opts), calibration(cal) {}
  const DeployOptions& o;
  quant::Calibration calibration;
  std::optional<compress::PruneOptions> prune_opts;
  npu::Target target;
  std::string target_toml, train_spec, eval_spec;

  std::optional<StageCache> cache;  // created by import once the inputs fit: a bad input leaves no folder
  std::string model_bytes;
  ir::Graph float_graph, prepared;
  data::Dataset train_set, eval_ds;
  std::string train_hash, eval_hash;
  std::map<std::string, std::string> keys;  // stage name -> its cache key
  nlohmann::json prune_info, quant_info, compile_info, sim_info;
  std::vector<StageRun>* stages = nullptr;  // the stages finished so far (the report lists them)
  nlohmann::json report;

  // A stage's cached record, unless --force.
  std::optional<nlohmann::json> lookup(const std::string& stage) const;
  const ir::Graph& pruned_graph();  // `prepared` when not pruning
  const ir::Graph& qdq_graph();
  const ir::Graph& integer_graph();
  std::shared_ptr<CompiledNpu> compiled_model();
  std::string qdq_name() const;  // model.int8.onnx or model.int4.onnx

  std::optional<ir::Graph> pruned, qdq, int_graph;
  std::shared_ptr<CompiledNpu> compiled;
};

struct DeployStage {
  std::string name;
  // Computed when the stage starts (it may read earlier stages' keys).
  std::function<std::string(DeployContext&)> cache_key;
  // Runs the stage, or reuses its cached record for ctx.keys[name]; returns
  // the stage's status and one-line detail.
  std::function<StageRun(DeployContext&)> run;
};

// import, prepare, prune, quantize, compile, simulate, validate.
std::vector<DeployStage> deploy_stages();

}  // namespace etch::eval
