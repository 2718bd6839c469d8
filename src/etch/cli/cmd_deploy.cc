// etch deploy: the whole path (import → prepare → prune → quantize → compile →
// simulate → validate) in one command, one progress line per stage, stages
// cached in OUT/.etch-cache and reused on re-runs.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "etch/cli/command.h"
#include "etch/core/progress.h"
#include "etch/eval/deploy.h"
#include "etch/eval/summary_text.h"

namespace etch::cli {
namespace {

int run_deploy_cmd(const eval::DeployOptions& o, bool json) {
  const bool quiet = global_options().quiet || json;
  const auto t0 = std::chrono::steady_clock::now();
  // On a terminal the "..." line is replaced by the result (the stage's own
  // progress bars draw on that line meanwhile); in a log both lines stay.
  const bool tty = Progress::available() && ::isatty(STDOUT_FILENO) == 1;
  auto on_start = [&](int i, int n, const std::string& name) {
    if (quiet) return;
    fmt::print("[{}/{}] {:<9} ...{}", i, n, name, tty ? "" : "\n");
    std::fflush(stdout);
  };
  auto on_end = [&](int i, int n, const eval::StageRun& r) {
    if (quiet) return;
    fmt::print("{}[{}/{}] {:<9} {:<7} {:>7.1f}s  {}\n", tty ? "\r\033[K" : "", i, n, r.name, r.status, r.seconds,
               r.detail);
    std::fflush(stdout);
  };
  const eval::DeployResult res = eval::run_deploy(o, on_start, on_end);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (json) {
    nlohmann::json j = res.report;
    j["files"] = res.files;
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  if (global_options().quiet) return 0;
  fmt::print("\n{}\n{}\n", eval::summary_table(res.report), eval::per_class_table(res.report));
  for (const auto& n : res.report["notes"]) fmt::print("note: {}\n", n.get<std::string>());
  int cached = 0;
  for (const auto& s : res.stages) cached += s.status == "cached";
  fmt::print("files:\n");
  for (const std::string& f : res.files) fmt::print("  {}\n", f);
  fmt::print("report: {}/report.html\n", o.out_dir);
  fmt::print("done in {:.1f}s ({} of {} stages reused; --force to redo them)\n", secs, cached, res.stages.size());
  return 0;
}

const CommandRegistrar register_deploy{
    {"deploy", "the whole path: prune, quantize, compile, simulate and validate, with a report",
     [](CLI::App& sub) -> std::function<int()> {
       auto o = std::make_shared<eval::DeployOptions>();
       auto json = std::make_shared<bool>(false);
       sub.add_option("model", o->model, "float ONNX model")->required();
       sub.add_option("--data", o->data,
                      "data set: a family (fashion-mnist: its train split for fine-tuning and calibration, its test "
                      "split for validation) or one spec used for both")
           ->capture_default_str();
       sub.add_option("--train-data", o->train_data, "override the fine-tuning/calibration set");
       sub.add_option("--eval-data", o->eval_data, "override the validation set, e.g. fashion-mnist:test:1000");
       sub.add_option("--target", o->target, "NPU target: preset name or .toml file")->capture_default_str();
       sub.add_option("-o,--output", o->out_dir, "output folder (created if missing)")->required();
       sub.add_option("--prune", o->prune, "prune first: CRITERION:STRUCTURE:SPARSITY, e.g. taylor:channel:0.5");
       sub.add_option("--finetune-epochs", o->finetune_epochs, "fine-tuning epochs after pruning")
           ->capture_default_str();
       sub.add_option("--finetune-max-steps", o->finetune_max_steps, "cap on fine-tuning steps per epoch (0: none)")
           ->capture_default_str();
       sub.add_option("--bits", o->bits, "weight bits: 8 or 4")->capture_default_str();
       sub.add_option("--calibrator", o->calibrator,
                      "sample-mse | mse | minmax | ema | percentile | entropy (as etch quantize)")
           ->capture_default_str();
       sub.add_option("--calib-samples", o->calib_samples, "calibration images")->capture_default_str();
       sub.add_option("--equalize", o->equalize,
                      "cross-layer equalization: none | weights | activations (as etch quantize)")
           ->capture_default_str();
       sub.add_option("--qat-epochs", o->qat_epochs, "quantization-aware training epochs instead of PTQ (0: PTQ)")
           ->capture_default_str();
       sub.add_option("--sqnr-samples", o->sqnr_samples, "images for the per-layer SQNR analysis (0: off)")
           ->capture_default_str();
       sub.add_option("--batch", o->batch, "validation batch size")->capture_default_str();
       sub.add_option("--seed", o->seed, "random seed")->capture_default_str();
       sub.add_flag("--force", o->force, "redo every stage even when its cached result matches");
       sub.add_flag("--json", *json, "print the report as JSON");
       sub.footer(
           "Examples:\n"
           "  etch deploy fixtures/cnn.onnx --data fashion-mnist --target edge -o out/\n"
           "  etch deploy cnn.onnx --prune taylor:channel:0.3 --bits 8 --target edge -o out/\n"
           "Writes OUT/model.pruned.onnx (with --prune), OUT/model.int8.onnx (QDQ), OUT/model.npu, OUT/trace.json,\n"
           "OUT/report.json and OUT/report.html. Re-running with the same arguments reuses finished stages.");
       return [o, json] { return run_deploy_cmd(*o, *json); };
     }}};

}  // namespace
}  // namespace etch::cli
