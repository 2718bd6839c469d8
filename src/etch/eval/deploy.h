// `etch deploy`: the whole path in one call, with a cache per stage.
//   import → prepare (fold/fuse) → prune (+ fine-tune) → quantize (PTQ | QAT)
//   → compile → simulate → validate
// Files in OUT: model.pruned.onnx (when pruning ran), model.int8.onnx (QDQ;
// model.int4.onnx for --bits 4), model.npu, trace.json, report.json,
// report.html; stage records in OUT/.etch-cache/ (stage_cache.h). Each
// stage's key hashes its inputs' content (model bytes, data-set tensors,
// upstream keys) and its options, so a second run with the same arguments
// reuses every stage and produces byte-identical files.
#pragma once
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace etch::eval {

struct DeployOptions {
  std::string model;                   // ONNX float model
  std::string data = "fashion-mnist";  // a family ("fashion-mnist": train + test splits) or one spec
  std::string train_data;              // fine-tuning, Taylor scores, calibration (default: the family's train split)
  std::string eval_data;               // validation (default: the family's test split)
  std::string target = "edge";
  std::string out_dir;
  std::string prune;                      // "" = no pruning; else compress::parse_prune_spec syntax
  int finetune_epochs = 1;                // after pruning
  int64_t finetune_max_steps = 0;         // per epoch, 0 = whole epochs
  int bits = 8;                           // weight bits: 8 or 4
  std::string calibrator = "sample-mse";  // as etch quantize
  int64_t calib_samples = 512;
  std::string equalize = "activations";  // as etch quantize --equalize
  int qat_epochs = 0;                    // > 0: quantization-aware training instead of PTQ
  int64_t sqnr_samples = 256;            // images for the per-layer SQNR analysis
  int64_t batch = 100;
  uint64_t seed = 1;
  bool force = false;  // ignore cached stages
};

struct StageRun {
  std::string name;
  std::string status;  // "ran", "cached", "skipped"
  std::string detail;  // one line: what it did / produced
  double seconds = 0;  // wall time of this run (not part of any report)
};

struct DeployResult {
  std::vector<StageRun> stages;
  nlohmann::json report;
  std::vector<std::string> files;  // written or reused, in OUT
};

// on_stage_start(index, total, name) and on_stage_end(index, total, run) let
// the CLI print a progress line per stage. Throws etch::Error; an error leaves
// finished stages cached and no partial file.
DeployResult run_deploy(const DeployOptions& opts,
                        const std::function<void(int, int, const std::string&)>& on_stage_start = {},
                        const std::function<void(int, int, const StageRun&)>& on_stage_end = {});

}  // namespace etch::eval
