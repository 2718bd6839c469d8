// etch validate: float reference, integer reference and NPU simulator on the
// same images; one table, a per-class table, report.json and report.html.
#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "etch/cli/command.h"
#include "etch/data/dataset.h"
#include "etch/eval/load_model.h"
#include "etch/eval/summary_text.h"
#include "etch/eval/validate.h"
#include "etch/eval/validate_report.h"
#include "etch/quant/ptq.h"

namespace etch::cli {
namespace {

struct ValidateArgs {
  std::string model, float_model, data = "fashion-mnist:test", target = "edge", executors, report_dir;
  int64_t batch = 100, sqnr_samples = 256;
  bool json = false;
};

int run_validate(const ValidateArgs& a) {
  ir::Graph g = eval::load_model(a.model);
  std::optional<ir::Graph> float_model;
  // A float MODEL refuses any --float-model: validate_models says so, without the file being read.
  if (!a.float_model.empty()) float_model = quant::is_quantized(g) ? eval::load_model(a.float_model) : ir::Graph{};
  eval::ValidateModels models = eval::validate_models(std::move(g), std::move(float_model), a.model);
  eval::ValidateOptions opts;
  if (!a.executors.empty()) opts.executors = eval::parse_executor_list(a.executors);
  opts.target = a.target;
  opts.batch = a.batch;
  opts.sqnr_samples = a.sqnr_samples;
  const data::Dataset ds = data::load_dataset(a.data);
  eval::ValidateResult res = eval::run_validation(models, ds, opts);

  const nlohmann::json report = eval::validate_report(models, res, a.model);
  // Files only where the user asked for them.
  if (!a.report_dir.empty()) eval::write_report_files(a.report_dir, report);

  if (a.json) {
    fmt::print("{}\n", report.dump(2));
    return 0;
  }
  if (global_options().quiet) return 0;
  fmt::print("{} on {} ({} samples)\n\n", a.model, a.data, res.evaluation.images);
  fmt::print("{}\n{}\n", eval::summary_table(report), eval::per_class_table(report));
  for (const std::string& n : res.notes) fmt::print("note: {}\n", n);
  if (!a.report_dir.empty()) fmt::print("wrote {0}/report.json and {0}/report.html\n", a.report_dir);
  return 0;
}

const CommandRegistrar register_validate{
    {"validate", "compare float, integer and NPU execution of a model on a data set",
     [](CLI::App& sub) -> std::function<int()> {
       auto a = std::make_shared<ValidateArgs>();
       sub.add_option("model", a->model, "ONNX model: float, or quantized (QDQ, from etch quantize)")->required();
       sub.add_option("--data", a->data, "data set spec")->capture_default_str();
       sub.add_option("--target", a->target, "NPU target for the npu executor: preset name or .toml file")
           ->capture_default_str();
       sub.add_option(
           "--executors", a->executors,
           "comma-separated subset of float,int,npu (default: every one that applies to MODEL: float for a float "
           "model; int and npu for a quantized one, plus float with --float-model)");
       sub.add_option("--float-model", a->float_model, "float reference for a quantized MODEL");
       sub.add_option("--report-dir", a->report_dir,
                      "write report.json and report.html into this folder (none without it)")
           ->capture_default_str();
       sub.add_option("--batch", a->batch, "images per batch")->capture_default_str();
       sub.add_option("--sqnr-samples", a->sqnr_samples,
                      "images for the per-layer SQNR of a quantized model against --float-model (0: off)")
           ->capture_default_str();
       sub.add_flag("--json", a->json, "print the report as JSON");
       sub.footer(
           "Examples:\n"
           "  etch validate fixtures/cnn.onnx --data fashion-mnist:test\n"
           "  etch validate out/model.int8.onnx --float-model cnn.onnx --data fashion-mnist:test --target edge "
           "--executors float,int,npu --report-dir out/");
       return [a] { return run_validate(*a); };
     }}};

}  // namespace
}  // namespace etch::cli
