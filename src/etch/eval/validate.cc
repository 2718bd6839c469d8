#include "etch/eval/validate.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <sstream>

#include "etch/eval/deploy_npu.h"
#include "etch/npu/target.h"
#include "etch/quant/lower_qdq.h"
#include "etch/quant/ptq.h"

namespace etch::eval {
namespace {

const std::vector<std::string> kKnown = {"float", "pruned", "int", "npu"};

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

std::vector<std::string> parse_executor_list(const std::string& spec) {
  std::vector<std::string> out;
  std::stringstream ss(spec);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (item.empty()) continue;
    ETCH_REQUIRE(contains(kKnown, item), InvalidInput)
        << "--executors: unknown executor '" << item << "' (known: float, pruned, int, npu)";
    ETCH_REQUIRE(!contains(out, item), InvalidInput) << "--executors: '" << item << "' given twice";
    out.push_back(item);
  }
  ETCH_REQUIRE(!out.empty(), InvalidInput) << "--executors: no executor named (known: float, pruned, int, npu)";
  std::vector<std::string> ordered;
  for (const std::string& k : kKnown)
    if (contains(out, k)) ordered.push_back(k);
  return ordered;
}

std::vector<std::string> applicable_executors(const ValidateModels& m) {
  std::vector<std::string> v;
  if (m.float_graph) v.push_back("float");
  if (m.pruned_graph) v.push_back("pruned");
  if (m.qdq_graph || m.int_graph) v.push_back("int");
  if (m.npu || m.qdq_graph || m.int_graph) v.push_back("npu");
  return v;
}

namespace {

void add_layer_sqnr(ValidateResult& res, const ValidateModels& m, const data::Dataset& ds,
                    const ValidateOptions& opts) {
  // Per-layer SQNR needs the float model the QDQ graph was made from (same layers).
  const ir::Graph* ref = m.pruned_graph ? &*m.pruned_graph : m.float_graph ? &*m.float_graph : nullptr;
  if (opts.sqnr_samples > 0 && ref && m.qdq_graph && m.int_graph) {
    const int64_t n = std::min<int64_t>(opts.sqnr_samples, ds.size());
    try {
      res.sqnr = quant::layer_errors(quant::prepare_for_quantization(*ref), *m.qdq_graph, *m.int_graph, ds, n);
      res.sqnr_between =
          fmt::format("{} vs int, first {} images of {}", m.pruned_graph ? "pruned float" : "float", n, ds.name);
    } catch (const Error& e) {
      res.notes.push_back(std::string("per-layer SQNR left out: ") + e.what());
    }
  } else if (opts.sqnr_samples > 0 && m.qdq_graph && !ref) {
    // emplace_back, not push_back(literal): GCC 12 at -O3 reports a false
    // -Warray-bounds on the moved temporary when <filesystem> is precompiled.
    res.notes.emplace_back("per-layer SQNR left out: it needs the float model (--float-model)");
  }
}

ValidateResult validate_without_labels(ValidateModels& m, const data::Dataset& ds, const std::vector<std::string>& want,
                                       const ValidateOptions& opts) {
  const ir::Graph* ref = m.pruned_graph ? &*m.pruned_graph : m.float_graph ? &*m.float_graph : nullptr;
  ETCH_REQUIRE(ref, InvalidInput) << m.label << ": data set '" << ds.name
                                  << "' has no labels, so validation compares the quantized model with the float one; "
                                     "give --float-model FILE.onnx";
  ETCH_REQUIRE(m.qdq_graph, InvalidInput)
      << m.label << ": data set '" << ds.name
      << "' has no labels and the model is float, so there is nothing to compare it with (quantize it, or give "
         "labelled data)";
  if (!m.int_graph) m.int_graph = quant::lower_qdq(*m.qdq_graph);
  ValidateResult res;
  res.evaluation.data_spec = ds.name;
  res.evaluation.images = ds.size();
  res.fidelity = run_fidelity(*ref, *m.int_graph, ds, opts.batch);
  res.fidelity_between = fmt::format("{} vs int on {} samples of {} (no labels)",
                                     m.pruned_graph ? "pruned float" : "float", ds.size(), ds.name);
  if (contains(want, "npu"))
    res.notes.emplace_back(
        "npu executor left out: on data without labels validate compares the integer graph with "
        "the float model only");
  add_layer_sqnr(res, m, ds, opts);
  return res;
}

}  // namespace

ValidateResult run_validation(ValidateModels& m, const data::Dataset& ds, const ValidateOptions& opts) {
  const std::vector<std::string> can = applicable_executors(m);
  const std::vector<std::string> want = opts.executors.empty() ? can : opts.executors;
  ETCH_REQUIRE(!want.empty(), InvalidInput) << m.label << ": nothing to validate";
  for (const std::string& name : want) {
    if (contains(can, name)) continue;
    if (name == "float")
      ETCH_FAIL(InvalidInput) << m.label
                              << ": no float model to run (for a quantized model give --float-model FILE.onnx)";
    if (name == "pruned")
      ETCH_FAIL(InvalidInput) << m.label << ": executor 'pruned' exists only in etch deploy --prune";
    ETCH_FAIL(InvalidInput) << m.label << ": executor '" << name
                            << "' needs a quantized (QDQ) model; make one with etch quantize or etch deploy";
  }
  ValidateResult res;
  const bool need_int = contains(want, "int") || contains(want, "npu") || opts.sqnr_samples > 0;
  if (need_int && !m.int_graph && m.qdq_graph) m.int_graph = quant::lower_qdq(*m.qdq_graph);

  // Without labels there is no accuracy: the integer graph is measured against the float model.
  if (!ds.has_labels()) return validate_without_labels(m, ds, want, opts);

  std::vector<std::unique_ptr<Executor>> owned;
  auto add_graph = [&](const std::string& name, const ir::Graph& g, const std::string& what) {
    check_model_fits_data(g, what, ds.name, ds.images.shape(), ds.num_classes);
    owned.push_back(std::make_unique<GraphExecutor>(name, g));
  };
  if (contains(want, "float")) add_graph("float", *m.float_graph, m.label);
  if (contains(want, "pruned")) add_graph("pruned", *m.pruned_graph, "pruned model");
  if (contains(want, "int")) add_graph("int", *m.int_graph, m.label + " (integer graph)");
  if (contains(want, "npu")) {
    check_model_fits_data(*m.int_graph, m.label + " (integer graph)", ds.name, ds.images.shape(), ds.num_classes);
    if (!m.npu) m.npu = compile_for_npu(*m.int_graph, npu::resolve_target(opts.target));
    owned.push_back(make_npu_executor(m.npu));
  }
  std::vector<Executor*> execs;
  for (auto& e : owned) execs.push_back(e.get());
  EvalOptions eo;
  eo.batch = opts.batch;
  res.evaluation = evaluate(ds, execs, eo);
  for (auto& e : owned)
    if (e->name() == "npu") res.npu = npu_average_perf(*e);

  add_layer_sqnr(res, m, ds, opts);
  return res;
}

}  // namespace etch::eval
