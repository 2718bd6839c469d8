// etch validate: float reference, integer reference and NPU simulator on the
// same images; one table, a per-class table, report.json and report.html.
#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "etch/cli/command.h"
#include "etch/data/dataset.h"
#include "etch/eval/interrupt.h"
#include "etch/eval/load_model.h"
#include "etch/eval/model_size.h"
#include "etch/eval/report.h"
#include "etch/eval/report_html.h"
#include "etch/eval/stage_cache.h"
#include "etch/eval/summary_text.h"
#include "etch/eval/validate.h"
#include "etch/onnx/importer.h"
#include "etch/quant/ptq.h"

namespace etch::cli {
namespace {

struct ValidateArgs {
  std::string model, float_model, data = "fashion-mnist:test", target = "edge", executors, report_dir = ".";
  int64_t batch = 100, sqnr_samples = 256;
  bool json = false;
};

// Both files are rendered before either is written, and each write is atomic.
void write_reports(const std::string& dir, const nlohmann::json& report) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  ETCH_REQUIRE(!ec && std::filesystem::is_directory(dir), InvalidInput)
      << "--report-dir " << dir << ": cannot create folder (" << ec.message() << ")";
  // Temporary files first, then renames; Ctrl-C meanwhile removes the temporaries.
  eval::ScopedInterruptCleanup cleanup;
  eval::write_files_atomically(
      {{dir + "/report.json", report.dump(2) + "\n"}, {dir + "/report.html", eval::report_html(report)}});
}

int run_validate(const ValidateArgs& a) {
  eval::ValidateModels models;
  models.label = a.model;
  ir::Graph g = eval::load_model(a.model);
  if (quant::is_quantized(g)) {
    models.qdq_graph = std::move(g);
    if (!a.float_model.empty()) models.float_graph = eval::load_model(a.float_model);
  } else {
    ETCH_REQUIRE(a.float_model.empty(), InvalidInput)
        << a.model << " is a float model; --float-model is only for quantized (QDQ) models";
    models.float_graph = std::move(g);
  }
  eval::ValidateOptions opts;
  if (!a.executors.empty()) opts.executors = eval::parse_executor_list(a.executors);
  opts.target = a.target;
  opts.batch = a.batch;
  opts.sqnr_samples = a.sqnr_samples;
  const data::Dataset ds = data::load_dataset(a.data);
  eval::ValidateResult res = eval::run_validation(models, ds, opts);

  eval::ReportInputs in;
  in.title = "etch validate " + std::filesystem::path(a.model).filename().string();
  in.model = a.model;
  in.evaluation = &res.evaluation;
  in.sqnr = res.sqnr;
  in.sqnr_between = res.sqnr_between;
  in.npu = res.npu;
  if (res.npu) in.target = res.npu->target;
  if (models.float_graph) in.sizes.push_back(eval::graph_size("float", *models.float_graph));
  if (models.qdq_graph) in.sizes.push_back(eval::graph_size("quantized", *models.qdq_graph));
  if (res.npu) in.sizes.push_back({"npu program", res.npu->program_bytes, 0});
  in.notes = res.notes;
  if (!res.fidelity.empty()) {
    in.fidelity = eval::fidelity_json(res.fidelity);
    in.fidelity_between = res.fidelity_between;
  }
  const nlohmann::json report = eval::report_json(in);
  write_reports(a.report_dir, report);

  if (a.json) {
    fmt::print("{}\n", report.dump(2));
    return 0;
  }
  if (global_options().quiet) return 0;
  fmt::print("{} on {} ({} samples)\n\n", a.model, a.data, res.evaluation.images);
  fmt::print("{}\n{}\n", eval::summary_table(report), eval::per_class_table(report));
  for (const std::string& n : res.notes) fmt::print("note: {}\n", n);
  fmt::print("wrote {0}/report.json and {0}/report.html\n", a.report_dir);
  return 0;
}

const CommandRegistrar reg{
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
       sub.add_option("--report-dir", a->report_dir, "where to write report.json and report.html")
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
