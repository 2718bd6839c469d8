#include "etch/eval/deploy_stages.h"

#include <dlfcn.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include "etch/compress/prune.h"
#include "etch/core/atomic_file.h"
#include "etch/eval/deploy_report.h"
#include "etch/eval/load_model.h"
#include "etch/eval/model_size.h"
#include "etch/eval/report_html.h"
#include "etch/eval/sha256.h"
#include "etch/eval/validate.h"
#include "etch/onnx/exporter.h"
#include "etch/onnx/importer.h"
#include "etch/quant/lower_qdq.h"
#include "etch/quant/ptq.h"
#include "etch/quant/qat.h"
#include "etch/runtime/sample_feed.h"

namespace etch::eval {

using nlohmann::json;

std::optional<json> DeployContext::lookup(const std::string& stage) const {
  if (o.force) return std::nullopt;
  return cache->lookup(stage, keys.at(stage));
}

const ir::Graph& DeployContext::pruned_graph() {
  if (!prune_opts) return prepared;
  if (!pruned) pruned = onnx::import_model(cache->path("model.pruned.onnx"));
  return *pruned;
}

const ir::Graph& DeployContext::qdq_graph() {
  if (!qdq) qdq = onnx::import_model(cache->path(qdq_name()));
  return *qdq;
}

const ir::Graph& DeployContext::integer_graph() {
  if (!int_graph) int_graph = quant::lower_qdq(qdq_graph());
  return *int_graph;
}

std::shared_ptr<CompiledNpu> DeployContext::compiled_model() {
  // Deterministic: recompiling gives the bytes model.npu holds.
  if (!compiled) compiled = compile_for_npu(integer_graph(), target);
  return compiled;
}

std::string DeployContext::qdq_name() const { return fmt::format("model.int{}.onnx", o.bits); }

namespace {

// Bumped when a stage's meaning changes, so old caches are not reused.
constexpr const char* kCacheVersion = "etch-deploy/1 " ETCH_VERSION;

// The etch build running: the size and modification time of the file its
// code was loaded from (the etch executable, or the Python module). A rebuilt
// etch, whose stages may compute other bytes, never takes the cached stages
// of another build (ETCH_VERSION alone let it, as it stays the same between
// releases).
const std::string& build_identity() {
  static const std::string id = [] {
    std::string path = "/proc/self/exe";
    Dl_info info{};
    if (dladdr(reinterpret_cast<const void*>(&build_identity), &info) != 0 && info.dli_fname && *info.dli_fname)
      path = info.dli_fname;
    struct stat st {};
    if (stat(path.c_str(), &st) != 0 && stat("/proc/self/exe", &st) != 0) return std::string("unknown build");
    return fmt::format("{} bytes, modified {}.{:09d}", st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  }();
  return id;
}

// Every input array (an image set's as "x"; a WAV or NPZ set's by input
// name), the labels, the class count and the carried state.
std::string data_hash(const data::Dataset& d) {
  Sha256 h;
  h.field("dataset");
  for (const auto& [name, t] : data::named_arrays(d)) {
    h.field(name).field(dtype_name(t.dtype()));
    for (int64_t s : t.shape()) h.field(std::to_string(s));
    h.update(t.raw(), t.nbytes());
  }
  h.update(d.labels.raw(), d.labels.nbytes());
  h.field(std::to_string(d.num_classes));
  for (const auto& [out, in] : d.carry) h.field("carry").field(out).field(in);
  for (int64_t s : d.sequence) h.field(std::to_string(s));
  return h.hex();
}

StageRun cached(const std::string& stage, const json& info) { return {stage, "cached", info.value("summary", "")}; }
StageRun ran(const std::string& stage, const json& info) { return {stage, "ran", info.value("summary", "")}; }

// Labelled data feeds a classifier (image shape and class count checked);
// data without labels feeds any model through runtime::SampleFeed, whose
// constructor checks every array against its input.
void check_data_fits(const ir::Graph& g, const std::string& model, const std::string& spec, const data::Dataset& ds) {
  if (ds.has_labels()) {
    check_model_fits_data(g, model, spec, ds.images.shape(), ds.num_classes);
    return;
  }
  try {
    runtime::SampleFeed feed(g, data::named_arrays(ds), 1, {}, {ds.carry, ds.sequence});
  } catch (const Error& e) {
    ETCH_FAIL(InvalidInput) << "data set '" << spec << "' cannot feed " << model << ": " << e.what();
  }
}

// 1. import: the model, and the data sets checked against it before any long
// work. Calibration (and pruning) read the training split; it is part of their keys.
DeployStage import_stage() {
  return {"import",
          [](DeployContext& c) {
            c.model_bytes = read_file(c.o.model);
            return Sha256()
                .field(kCacheVersion)
                .field(build_identity())
                .field("import")
                .field(sha256_hex(c.model_bytes))
                .hex();
          },
          [](DeployContext& c) -> StageRun {
            const DeployOptions& o = c.o;
            c.float_graph = load_model(o.model);
            c.eval_ds = data::load_dataset(c.eval_spec);
            check_data_fits(c.float_graph, o.model, c.eval_spec, c.eval_ds);
            c.eval_hash = data_hash(c.eval_ds);
            c.train_set = data::load_dataset(c.train_spec);
            check_data_fits(c.float_graph, o.model, c.train_spec, c.train_set);
            c.train_hash = data_hash(c.train_set);
            c.cache.emplace(o.out_dir);
            return {"import", "ran",
                    fmt::format("{} ({} nodes); {} and {}", o.model, c.float_graph.nodes().size(), c.train_spec,
                                c.eval_spec)};
          }};
}

// 2. prepare: BatchNorm folding, Gemm canonical form (the graph PTQ starts from).
DeployStage prepare_stage() {
  return {"prepare", [](DeployContext& c) { return Sha256().field(c.keys.at("import")).field("prepare").hex(); },
          [](DeployContext& c) -> StageRun {
            c.prepared = quant::prepare_for_quantization(c.float_graph);
            return {"prepare", "ran",
                    fmt::format("{} → {} nodes (fold/fuse)", c.float_graph.nodes().size(), c.prepared.nodes().size())};
          }};
}

// 3. prune (+ fine-tune); without --prune its key is prepare's.
DeployStage prune_stage() {
  return {"prune",
          [](DeployContext& c) {
            const std::string& k_prepare = c.keys.at("prepare");
            if (!c.prune_opts) return k_prepare;
            const DeployOptions& o = c.o;
            return Sha256()
                .field(k_prepare)
                .field("prune")
                .field(o.prune)
                .field(std::to_string(o.finetune_epochs))
                .field(std::to_string(o.finetune_max_steps))
                .field(std::to_string(o.seed))
                .field(c.train_hash)
                .field(c.eval_hash)
                .hex();
          },
          [](DeployContext& c) -> StageRun {
            if (!c.prune_opts) return {"prune", "skipped", "no --prune"};
            if (auto info = c.lookup("prune")) {
              c.prune_info = *info;
              return cached("prune", c.prune_info);
            }
            ir::Graph g = c.prepared;
            const compress::PruneResult r = compress::prune(g, *c.prune_opts, &c.train_set, &c.eval_ds);
            c.prune_info = pruning_json(c.o.prune, *c.prune_opts, r);
            c.prune_info["size"] = size_json(graph_size("pruned", g));
            c.cache->commit("prune", c.keys.at("prune"), {{"model.pruned.onnx", onnx::export_model_bytes(g)}},
                            c.prune_info);
            c.pruned = std::move(g);
            return ran("prune", c.prune_info);
          }};
}

// PTQ, or QAT with --qat-epochs, of the (pruned) graph to a QDQ graph.
ir::Graph quantize(DeployContext& c) {
  const DeployOptions& o = c.o;
  quant::PtqOptions p;
  p.calibration = c.calibration;
  p.calib_samples = o.calib_samples;
  p.equalization = quant::parse_equalization(o.equalize);
  p.weight_bits = o.bits;
  p.seed = o.seed;
  if (o.qat_epochs <= 0) return quant::quantize_ptq(c.pruned_graph(), c.train_set, p);
  quant::QatOptions q;
  q.epochs = o.qat_epochs;
  q.seed = o.seed;
  return quant::quantize_qat(c.pruned_graph(), c.train_set, p, q);
}

// 4. quantize
DeployStage quantize_stage() {
  return {
      "quantize",
      [](DeployContext& c) {
        const DeployOptions& o = c.o;
        return Sha256()
            .field(c.keys.at("prune"))
            .field("quantize")
            .field(std::to_string(o.bits))
            .field(quant::calibration_name(c.calibration))
            .field(std::to_string(o.calib_samples))
            .field(o.equalize)
            .field(std::to_string(o.qat_epochs))
            .field(std::to_string(o.seed))
            .field(c.train_hash)
            .hex();
      },
      [](DeployContext& c) -> StageRun {
        if (auto info = c.lookup("quantize")) {
          c.quant_info = *info;
          return cached("quantize", c.quant_info);
        }
        const DeployOptions& o = c.o;
        ir::Graph g = quantize(c);
        const int int_ops = quant::count_integer_ops(quant::lower_qdq(g));
        c.quant_info = {{"summary", fmt::format("{} {}-bit weights, {} calibration ({} images), {} integer ops",
                                                o.qat_epochs > 0 ? "QAT" : "PTQ", o.bits,
                                                quant::calibration_name(c.calibration), o.calib_samples, int_ops)},
                        {"size", size_json(graph_size(fmt::format("int{}", o.bits), g))}};
        c.cache->commit("quantize", c.keys.at("quantize"), {{c.qdq_name(), onnx::export_model_bytes(g)}}, c.quant_info);
        c.qdq = std::move(g);
        return ran("quantize", c.quant_info);
      }};
}

// 5. compile
DeployStage compile_stage() {
  return {"compile",
          [](DeployContext& c) {
            return Sha256().field(c.keys.at("quantize")).field("compile").field(c.target_toml).hex();
          },
          [](DeployContext& c) -> StageRun {
            if (auto info = c.lookup("compile")) {
              c.compile_info = *info;
              return cached("compile", c.compile_info);
            }
            const std::string bytes = npu_program_bytes(*c.compiled_model());
            const std::string placement = npu_placement_summary(*c.compiled);
            c.compile_info = {{"summary", fmt::format("model.npu for {} ({} bytes){}", c.target.name, bytes.size(),
                                                      placement.empty() ? "" : "; " + placement)},
                              {"program_bytes", bytes.size()}};
            c.cache->commit("compile", c.keys.at("compile"), {{"model.npu", bytes}}, c.compile_info);
            return ran("compile", c.compile_info);
          }};
}

// 6. simulate: one image on the cycle-level simulator (figures + trace).
DeployStage simulate_stage() {
  return {
      "simulate",
      [](DeployContext& c) { return Sha256().field(c.keys.at("compile")).field("simulate").field(c.eval_hash).hex(); },
      [](DeployContext& c) -> StageRun {
        if (auto info = c.lookup("simulate")) {
          c.sim_info = *info;
          return cached("simulate", c.sim_info);
        }
        // The first evaluation sample, shaped for every model input whatever the data
        // (inputs without data, such as recurrent state, get zeros).
        const runtime::SampleFeed feed(c.integer_graph(), data::named_arrays(c.eval_ds), 1);
        const NpuSimulation s = simulate_one(c.compiled_model(), feed.inputs({0}, 0, 1));
        c.sim_info = {{"summary", fmt::format("{} cycles, {:.4f} ms, {:.2f} µJ per inference", s.perf.cycles,
                                              s.perf.latency_ms(), s.perf.energy_uj)},
                      {"perf", npu_perf_json(s.perf)}};
        c.cache->commit("simulate", c.keys.at("simulate"), {{"trace.json", s.trace_json}}, c.sim_info);
        return ran("simulate", c.sim_info);
      }};
}

std::string validate_key(DeployContext& c) {
  const DeployOptions& o = c.o;
  return Sha256()
      .field(c.keys.at("quantize"))
      .field(c.keys.at("simulate"))
      .field("validate")
      .field(c.eval_hash)
      .field(std::to_string(o.batch))
      .field(std::to_string(o.sqnr_samples))
      .field(o.model)  // the report names these
      .field(c.train_spec)
      .field(c.eval_spec)
      .field(o.prune)
      .hex();
}

// 7. validate: every executor on the evaluation set, then the reports.
StageRun validate(DeployContext& c) {
  if (auto info = c.lookup("validate")) {
    c.report = json::parse(read_file(c.cache->path("report.json")));
    return {"validate", "cached", info->value("summary", "")};
  }
  const DeployOptions& o = c.o;
  ValidateModels m;
  m.label = o.model;
  m.float_graph = c.float_graph;
  if (c.prune_opts) m.pruned_graph = c.pruned_graph();
  m.qdq_graph = c.qdq_graph();
  m.int_graph = c.integer_graph();
  m.npu = c.compiled_model();
  ValidateOptions vo;
  vo.target = o.target;
  vo.batch = o.batch;
  vo.sqnr_samples = o.sqnr_samples;
  const ValidateResult v = run_validation(m, c.eval_ds, vo);
  DeployReportParts parts{o,          c.target, c.float_graph, c.prune_info, c.quant_info, c.compile_info,
                          c.sim_info, *c.stages};
  c.report = deploy_report(parts, v);
  const std::string summary = validation_summary(c.report);
  c.cache->commit("validate", c.keys.at("validate"),
                  {{"report.json", c.report.dump(2) + "\n"}, {"report.html", report_html(c.report)}},
                  {{"summary", summary}});
  return {"validate", "ran", summary};
}

}  // namespace

std::vector<DeployStage> deploy_stages() {
  return {import_stage(),
          prepare_stage(),
          prune_stage(),
          quantize_stage(),
          compile_stage(),
          simulate_stage(),
          {"validate", validate_key, validate}};
}

}  // namespace etch::eval
