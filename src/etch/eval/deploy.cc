#include "etch/eval/deploy.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <optional>

#include "etch/compress/prune.h"
#include "etch/core/atomic_file.h"
#include "etch/data/dataset.h"
#include "etch/eval/deploy_npu.h"
#include "etch/eval/deploy_report.h"
#include "etch/eval/interrupt.h"
#include "etch/eval/load_model.h"
#include "etch/eval/model_size.h"
#include "etch/eval/report_html.h"
#include "etch/eval/sha256.h"
#include "etch/eval/stage_cache.h"
#include "etch/eval/validate.h"
#include "etch/npu/target.h"
#include "etch/onnx/exporter.h"
#include "etch/onnx/importer.h"
#include "etch/quant/lower_qdq.h"
#include "etch/quant/ptq.h"
#include "etch/quant/qat.h"

namespace etch::eval {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr int kStages = 7;

// Bumped when a stage's meaning changes, so old caches are not reused.
constexpr const char* kCacheVersion = "etch-deploy/1 " ETCH_VERSION;

std::string data_hash(const data::Dataset& d) {
  Sha256 h;
  h.field("dataset");
  h.update(d.images.raw(), d.images.nbytes());
  h.update(d.labels.raw(), d.labels.nbytes());
  for (int64_t s : d.images.shape()) h.field(std::to_string(s));
  h.field(std::to_string(d.num_classes));
  return h.hex();
}

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
  const quant::Calibration calibration = quant::parse_calibration(o.calibrator);
  std::optional<compress::PruneOptions> prune_opts;
  if (!o.prune.empty()) {
    prune_opts = compress::parse_prune_spec(o.prune);
    prune_opts->finetune_epochs = o.finetune_epochs;
    prune_opts->finetune_max_steps = o.finetune_max_steps;
    prune_opts->seed = o.seed;
    compress::validate(*prune_opts);
  }
  const npu::Target target = npu::resolve_target(o.target);
  const std::string target_toml = npu::target_to_toml(target);
  const auto [train_spec, eval_spec] = resolve_data(o);

  ScopedInterruptCleanup interrupt_cleanup;
  std::optional<StageCache> cache_slot;  // created once the inputs are known to fit: a bad input leaves no folder
  DeployResult result;
  int index = 0;
  auto begin = [&](const std::string& name) {
    ++index;
    if (on_start) on_start(index, kStages, name);
    return StageTimer{};
  };
  auto end = [&](StageRun run, const StageTimer& t) {
    run.seconds = t.seconds();
    if (on_end) on_end(index, kStages, run);
    result.stages.push_back(std::move(run));
  };
  auto lookup = [&](const std::string& stage, const std::string& key) -> std::optional<json> {
    if (o.force) return std::nullopt;
    return cache_slot->lookup(stage, key);
  };

  // 1. import: the model, and the data sets checked against it before any long work.
  StageTimer t = begin("import");
  const std::string model_bytes = read_file(o.model);
  const ir::Graph float_graph = load_model(o.model);
  const data::Dataset eval_ds = data::load_dataset(eval_spec);
  check_model_fits_data(float_graph, o.model, eval_spec, eval_ds.images.shape(), eval_ds.num_classes);
  const std::string eval_hash = data_hash(eval_ds);
  // Calibration (and pruning) read the training split; it is part of their keys.
  const data::Dataset train_set = data::load_dataset(train_spec);
  const data::Dataset* train_ds = &train_set;
  check_model_fits_data(float_graph, o.model, train_spec, train_set.images.shape(), train_set.num_classes);
  const std::string train_hash = data_hash(train_set);
  cache_slot.emplace(o.out_dir);
  StageCache& cache = *cache_slot;
  const std::string k_import = Sha256().field(kCacheVersion).field("import").field(sha256_hex(model_bytes)).hex();
  end({"import", "ran",
       fmt::format("{} ({} nodes); {} and {}", o.model, float_graph.nodes().size(), train_spec, eval_spec)},
      t);

  // 2. prepare: BatchNorm folding, Gemm canonical form (the graph PTQ starts from).
  t = begin("prepare");
  const ir::Graph prepared = quant::prepare_for_quantization(float_graph);
  const std::string k_prepare = Sha256().field(k_import).field("prepare").hex();
  end({"prepare", "ran", fmt::format("{} → {} nodes (fold/fuse)", float_graph.nodes().size(), prepared.nodes().size())},
      t);

  // 3. prune (+ fine-tune)
  t = begin("prune");
  std::string k_prune = k_prepare;
  std::optional<ir::Graph> pruned;
  json prune_info;
  if (!prune_opts) {
    end({"prune", "skipped", "no --prune"}, t);
  } else {
    k_prune = Sha256()
                  .field(k_prepare)
                  .field("prune")
                  .field(o.prune)
                  .field(std::to_string(o.finetune_epochs))
                  .field(std::to_string(o.finetune_max_steps))
                  .field(std::to_string(o.seed))
                  .field(train_hash)
                  .field(eval_hash)
                  .hex();
    if (auto info = lookup("prune", k_prune)) {
      prune_info = *info;
      end({"prune", "cached", prune_info.value("summary", "")}, t);
    } else {
      ir::Graph g = prepared;
      const compress::PruneResult r = compress::prune(g, *prune_opts, &*train_ds, &eval_ds);
      prune_info = pruning_json(o.prune, *prune_opts, r);
      prune_info["size"] = size_json(graph_size("pruned", g));
      cache.commit("prune", k_prune, {{"model.pruned.onnx", onnx::export_model_bytes(g)}}, prune_info);
      pruned = std::move(g);
      end({"prune", "ran", prune_info.value("summary", "")}, t);
    }
  }
  auto pruned_graph = [&]() -> const ir::Graph& {
    if (!prune_opts) return prepared;
    if (!pruned) pruned = onnx::import_model(cache.path("model.pruned.onnx"));
    return *pruned;
  };

  // 4. quantize: PTQ (or QAT with --qat-epochs) to a QDQ graph.
  t = begin("quantize");
  const std::string qdq_name = fmt::format("model.int{}.onnx", o.bits);
  const std::string k_quant = Sha256()
                                  .field(k_prune)
                                  .field("quantize")
                                  .field(std::to_string(o.bits))
                                  .field(quant::calibration_name(calibration))
                                  .field(std::to_string(o.calib_samples))
                                  .field(std::to_string(o.qat_epochs))
                                  .field(std::to_string(o.seed))
                                  .field(train_hash)
                                  .hex();
  std::optional<ir::Graph> qdq;
  json quant_info;
  if (auto info = lookup("quantize", k_quant)) {
    quant_info = *info;
    end({"quantize", "cached", quant_info.value("summary", "")}, t);
  } else {
    quant::PtqOptions p;
    p.calibration = calibration;
    p.calib_samples = o.calib_samples;
    p.weight_bits = o.bits;
    p.seed = o.seed;
    ir::Graph g;
    if (o.qat_epochs > 0) {
      quant::QatOptions q;
      q.epochs = o.qat_epochs;
      q.seed = o.seed;
      g = quant::quantize_qat(pruned_graph(), *train_ds, p, q);
    } else {
      g = quant::quantize_ptq(pruned_graph(), *train_ds, p);
    }
    const int int_ops = quant::count_integer_ops(quant::lower_qdq(g));
    quant_info = {{"summary", fmt::format("{} {}-bit weights, {} calibration ({} images), {} integer ops",
                                          o.qat_epochs > 0 ? "QAT" : "PTQ", o.bits,
                                          quant::calibration_name(calibration), o.calib_samples, int_ops)},
                  {"size", size_json(graph_size(fmt::format("int{}", o.bits), g))}};
    cache.commit("quantize", k_quant, {{qdq_name, onnx::export_model_bytes(g)}}, quant_info);
    qdq = std::move(g);
    end({"quantize", "ran", quant_info.value("summary", "")}, t);
  }
  auto qdq_graph = [&]() -> const ir::Graph& {
    if (!qdq) qdq = onnx::import_model(cache.path(qdq_name));
    return *qdq;
  };
  std::optional<ir::Graph> int_graph;
  auto integer_graph = [&]() -> const ir::Graph& {
    if (!int_graph) int_graph = quant::lower_qdq(qdq_graph());
    return *int_graph;
  };

  // 5. compile  6. simulate
  const std::string k_compile = Sha256().field(k_quant).field("compile").field(target_toml).hex();
  const std::string k_sim = Sha256().field(k_compile).field("simulate").field(eval_hash).hex();
  std::shared_ptr<CompiledNpu> compiled;
  auto compiled_model = [&]() {
    // Deterministic: recompiling gives the bytes model.npu holds.
    if (!compiled) compiled = compile_for_npu(integer_graph(), target);
    return compiled;
  };
  json compile_info, sim_info;
  t = begin("compile");
  if (auto info = lookup("compile", k_compile)) {
    compile_info = *info;
    end({"compile", "cached", compile_info.value("summary", "")}, t);
  } else {
    const std::string bytes = npu_program_bytes(*compiled_model());
    const std::string placement = npu_placement_summary(*compiled);
    compile_info = {{"summary", fmt::format("model.npu for {} ({} bytes){}", target.name, bytes.size(),
                                            placement.empty() ? "" : "; " + placement)},
                    {"program_bytes", bytes.size()}};
    cache.commit("compile", k_compile, {{"model.npu", bytes}}, compile_info);
    end({"compile", "ran", compile_info.value("summary", "")}, t);
  }
  t = begin("simulate");
  if (auto info = lookup("simulate", k_sim)) {
    sim_info = *info;
    end({"simulate", "cached", sim_info.value("summary", "")}, t);
  } else {
    const NpuSimulation s = simulate_one(compiled_model(), data::slice_images(eval_ds, 0, 1));
    sim_info = {{"summary", fmt::format("{} cycles, {:.4f} ms, {:.2f} µJ per inference", s.perf.cycles,
                                        s.perf.latency_ms(), s.perf.energy_uj)},
                {"perf", npu_perf_json(s.perf)}};
    cache.commit("simulate", k_sim, {{"trace.json", s.trace_json}}, sim_info);
    end({"simulate", "ran", sim_info.value("summary", "")}, t);
  }

  // 7. validate: every executor on the evaluation set, then the reports.
  t = begin("validate");
  const std::string k_validate = Sha256()
                                     .field(k_quant)
                                     .field(k_sim)
                                     .field("validate")
                                     .field(eval_hash)
                                     .field(std::to_string(o.batch))
                                     .field(std::to_string(o.sqnr_samples))
                                     .field(o.model)  // the report names these
                                     .field(train_spec)
                                     .field(eval_spec)
                                     .field(o.prune)
                                     .hex();
  if (auto info = lookup("validate", k_validate)) {
    result.report = json::parse(read_file(cache.path("report.json")));
    end({"validate", "cached", info->value("summary", "")}, t);
  } else {
    ValidateModels m;
    m.label = o.model;
    m.float_graph = float_graph;
    if (prune_opts) m.pruned_graph = pruned_graph();
    m.qdq_graph = qdq_graph();
    m.int_graph = integer_graph();
    m.npu = compiled_model();
    ValidateOptions vo;
    vo.target = o.target;
    vo.batch = o.batch;
    vo.sqnr_samples = o.sqnr_samples;
    const ValidateResult v = run_validation(m, eval_ds, vo);
    DeployReportParts parts{o, target, float_graph, prune_info, quant_info, compile_info, sim_info, result.stages};
    result.report = deploy_report(parts, v);
    const std::string summary = validation_summary(result.report);
    cache.commit("validate", k_validate,
                 {{"report.json", result.report.dump(2) + "\n"}, {"report.html", report_html(result.report)}},
                 {{"summary", summary}});
    end({"validate", "ran", summary}, t);
  }
  std::vector<std::string> files;
  if (prune_opts) files.push_back("model.pruned.onnx");
  files.push_back(qdq_name);
  files.insert(files.end(), {"model.npu", "trace.json", "report.json", "report.html"});
  for (const std::string& f : files) result.files.push_back(cache.path(f));
  return result;
}

}  // namespace etch::eval
