// etch.train() and etch.distill(): the library calls of `etch train` and
// `etch distill` with the same option names and defaults. Each returns the
// best model (what the CLI's -o file holds) with a `report` dict holding what
// the CLI prints as --json.
#include "common.h"
#include "etch/compress/distill.h"
#include "etch/core/atomic_file.h"
#include "etch/eval/train_json.h"
#include "etch/onnx/exporter.h"
#include "etch/onnx/importer.h"
#include "etch/train/output_matching.h"
#include "etch/train/recipe.h"
#include "etch/train/zoo.h"

namespace etch::python {
namespace {

// The best checkpoint, kept as the CLI keeps it: ONNX bytes taken at every
// improvement (so the returned Model is the file the CLI would leave), also
// written to `output` then when one is given.
struct BestCheckpoint {
  std::string output, bytes;

  void save(const ir::Graph& g) {
    bytes = onnx::export_model_bytes(g);
    if (!output.empty()) write_file_atomic(output, bytes);
  }
  // With no epoch run there is no checkpoint: the model as it stands.
  std::shared_ptr<Model> model(const ir::Graph& g, const std::string& label) const {
    if (bytes.empty()) return as_written(g, label);
    return std::make_shared<Model>(onnx::import_model_bytes(bytes, ".", label), label);
  }
};

// The CLI's "unset" values for options given as None (see train::RecipeOverrides).
train::RecipeOverrides overrides(std::optional<int> epochs, std::optional<int64_t> batch_size, std::optional<float> lr,
                                 uint64_t seed) {
  train::RecipeOverrides o;
  o.epochs = epochs.value_or(-1);
  o.batch_size = batch_size.value_or(0);
  o.lr = lr.value_or(0);
  o.seed = seed;
  return o;
}

// Built before any data is read, so an unknown name fails at once (as in the CLI).
ir::Graph zoo_model(const std::string& arch, uint64_t seed) {
  py::gil_scoped_release nogil;
  return train::build_zoo_model(arch, {}, seed);
}

// The training set and the optional held-out set (None: no evaluation).
std::pair<data::Dataset, std::optional<data::Dataset>> train_and_eval_sets(const py::object& data,
                                                                           const py::object& eval) {
  data::Dataset train_set = dataset_arg(data, "data");  // first: its errors come before eval's, as in the CLI
  std::optional<data::Dataset> eval_set;
  if (!eval.is_none()) eval_set = dataset_arg(eval, "eval");
  return {std::move(train_set), std::move(eval_set)};
}

py::object finish(BestCheckpoint& best, const ir::Graph& g, const std::string& label, nlohmann::json j) {
  std::shared_ptr<Model> out;
  {
    py::gil_scoped_release nogil;
    out = best.model(g, best.output.empty() ? label : best.output);
  }
  j["output"] = best.output.empty() ? nlohmann::json() : nlohmann::json(best.output);
  py::object m = py::cast(out);
  m.attr("report") = to_python(j);
  return m;
}

py::object train_model(const std::string& arch, const Model* init, const py::object& data, const py::object& eval,
                       std::optional<int> epochs, std::optional<int64_t> batch_size,
                       std::optional<std::string> optimizer, std::optional<float> lr, std::optional<float> weight_decay,
                       std::optional<float> label_smoothing, std::optional<std::string> schedule,
                       std::optional<int64_t> crop_padding, bool flip, bool augment, uint64_t seed,
                       const std::string& output) {
  ETCH_REQUIRE(arch.empty() == (init != nullptr), InvalidInput) << "give exactly one of arch= or init=";
  train::RecipeOverrides o = overrides(epochs, batch_size, lr, seed);
  o.optimizer = optimizer.value_or("");
  o.schedule = schedule.value_or("");
  o.weight_decay = weight_decay.value_or(-1);
  o.label_smoothing = label_smoothing.value_or(-1);
  o.crop_padding = crop_padding.value_or(-1);
  o.flip = flip;
  o.no_augment = !augment;
  train::TrainConfig cfg = train::recipe_for(arch, o);
  cfg.progress = false;                                        // Progress::notify still reaches set_progress and Ctrl-C
  ir::Graph g = init ? init->graph() : zoo_model(arch, seed);  // seed sets the initial weights too
  const auto [train_set, eval_set] = train_and_eval_sets(data, eval);
  BestCheckpoint best{output, {}};
  nlohmann::json j;
  {
    py::gil_scoped_release nogil;
    const double before = init && eval_set ? train::evaluate_accuracy(g, *eval_set) : -1;
    cfg.on_best = [&](const ir::Graph& b, const train::EpochStats&) { best.save(b); };
    j = eval::train_json(train::fit(g, train_set, eval_set ? &*eval_set : nullptr, cfg), before);
  }
  return finish(best, g, (init ? init->label() : arch) + " (trained)", std::move(j));
}

// Data without labels (detectors, decoders, audio; arrays with no "y"): the
// student learns every output of the teacher, as `etch distill` does, and
// the report holds the SQNR against the teacher before and per epoch. The
// Fashion-MNIST default eval set fits only labelled image data, so then only
// an eval set the caller gave is used.
nlohmann::json match_outputs(ir::Graph& g, const ir::Graph& teacher, const data::Dataset& train_set,
                             const data::Dataset* eval_set, const train::TrainConfig& cfg) {
  py::gil_scoped_release nogil;
  const double before = train::output_sqnr_db(g, teacher, eval_set ? *eval_set : train_set, cfg.batch_size);
  return eval::output_matching_json(train::fit_outputs(g, teacher, train_set, eval_set, cfg), before);
}

py::object distill_model(const Model& teacher, const Model* student, const std::string& student_arch, float temperature,
                         float alpha, bool teacher_cache, const py::object& data, const py::object& eval,
                         bool eval_is_default, std::optional<int> epochs, std::optional<float> lr,
                         std::optional<int64_t> batch_size, uint64_t seed, const std::string& output) {
  ETCH_REQUIRE(student_arch.empty() == (student != nullptr), InvalidInput)
      << "give exactly one of student= or student_arch=";
  compress::DistillOptions o;
  o.temperature = temperature;
  o.alpha = alpha;
  o.cache_teacher_logits = teacher_cache;
  o.teacher_name = "'" + teacher.label() + "'";
  o.student_name = "'" + (student ? student->label() : student_arch) + "'";
  train::TrainConfig cfg = train::recipe_for(student_arch, overrides(epochs, batch_size, lr, seed));
  cfg.progress = false;
  const ir::Graph& t = teacher.graph();
  ir::Graph g = student ? student->graph() : zoo_model(student_arch, seed);
  const data::Dataset train_set = dataset_arg(data, "data");  // first: its errors come before eval's, as in the CLI
  const bool labelled = train_set.has_labels();
  std::optional<data::Dataset> eval_set;
  if (!eval.is_none() && (labelled || !eval_is_default)) eval_set = dataset_arg(eval, "eval");
  const data::Dataset* eval_ptr = eval_set ? &*eval_set : nullptr;
  const std::string label = (student ? student->label() : student_arch) + " (distilled)";
  BestCheckpoint best{output, {}};
  cfg.on_best = [&](const ir::Graph& b, const train::EpochStats&) { best.save(b); };
  if (!labelled) return finish(best, g, label, match_outputs(g, t, train_set, eval_ptr, cfg));
  nlohmann::json j;
  {
    py::gil_scoped_release nogil;
    compress::check_distill(t, g, train_set, o);
    j = eval::distill_json(compress::distill(g, t, train_set, eval_ptr, o, cfg), o);
  }
  return finish(best, g, label, std::move(j));
}

}  // namespace

void bind_train(py::module_& m) {
  m.def("_train", &train_model, py::arg("arch"), py::arg("init").none(true), py::arg("data"), py::arg("eval"),
        py::arg("epochs"), py::arg("batch_size"), py::arg("optimizer"), py::arg("lr"), py::arg("weight_decay"),
        py::arg("label_smoothing"), py::arg("schedule"), py::arg("crop_padding"), py::arg("flip"), py::arg("augment"),
        py::arg("seed"), py::arg("output"));
  m.def("_distill", &distill_model, py::arg("teacher"), py::arg("student").none(true), py::arg("student_arch"),
        py::arg("temperature"), py::arg("alpha"), py::arg("teacher_cache"), py::arg("data"), py::arg("eval"),
        py::arg("eval_is_default"), py::arg("epochs"), py::arg("lr"), py::arg("batch_size"), py::arg("seed"),
        py::arg("output"));
}

}  // namespace etch::python
