// etch.load() and etch.Model: inspect (as `etch inspect --json`), run (as
// `etch run`: the inference pipeline first unless optimize=False), save.
#include <pybind11/gil.h>

#include "common.h"
#include "etch/core/error.h"
#include "etch/eval/load_model.h"
#include "etch/eval/model_summary.h"
#include "etch/onnx/exporter.h"
#include "etch/onnx/importer.h"
#include "etch/passes/pipeline.h"
#include "etch/runtime/feed_check.h"

namespace etch::python {

Model::Model(ir::Graph g, std::string label)
    : graph_(std::make_shared<ir::Graph>(std::move(g))), label_(std::move(label)) {}

const ir::Graph& Model::graph() const {
  ETCH_REQUIRE(graph_, InvalidInput) << "model '" << label_ << "' is closed";
  return *graph_;
}

void Model::close() {
  interp_[0].reset();
  interp_[1].reset();
  optimized_.reset();
  graph_.reset();
}

runtime::Interpreter& Model::interpreter(bool optimize) {
  const ir::Graph& g = graph();
  auto& it = interp_[optimize ? 1 : 0];
  if (it) return *it;
  if (!optimize) {
    it = std::make_unique<runtime::Interpreter>(g);
    return *it;
  }
  optimized_ = std::make_unique<ir::Graph>(g);
  passes::PassContext ctx;
  ctx.evaluate = runtime::run_node;
  passes::run_pipeline(*optimized_, passes::inference_pipeline(), ctx);
  it = std::make_unique<runtime::Interpreter>(*optimized_);
  return *it;
}

const Model& model_arg(const py::object& m) { return m.cast<const Model&>(); }

std::shared_ptr<Model> as_written(const ir::Graph& g, const std::string& label) {
  return std::make_shared<Model>(onnx::import_model_bytes(onnx::export_model_bytes(g), ".", label), label);
}

namespace {

// feeds: one array (a one-input model), a sequence in input order, or a dict by
// input name. Every input exactly once, each checked as `etch run` checks files.
std::map<std::string, Tensor> feeds_arg(const ir::Graph& g, const py::object& feeds) {
  std::vector<std::pair<std::string, py::object>> given;
  if (py::isinstance<py::dict>(feeds)) {
    for (auto [k, v] : feeds.cast<py::dict>()) given.emplace_back(py::str(k), py::reinterpret_borrow<py::object>(v));
  } else if (py::isinstance<py::list>(feeds) || py::isinstance<py::tuple>(feeds)) {
    const py::sequence seq = feeds.cast<py::sequence>();
    ETCH_REQUIRE(seq.size() == g.inputs.size(), InvalidInput)
        << "the model has " << g.inputs.size() << " input(s), got a sequence of " << seq.size() << " arrays";
    for (size_t i = 0; i < seq.size(); ++i) given.emplace_back(g.value(g.inputs[i]).name, seq[i]);
  } else {
    ETCH_REQUIRE(g.inputs.size() == 1, InvalidInput)
        << "the model has " << g.inputs.size() << " inputs: give a dict {input name: array}";
    given.emplace_back(g.value(g.inputs[0]).name, feeds);
  }
  std::map<std::string, Tensor> out;
  for (auto& [name, obj] : given) {
    const ir::Value* v = nullptr;
    for (ir::ValueId id : g.inputs)
      if (g.value(id).name == name) v = &g.value(id);
    ETCH_REQUIRE(v, InvalidInput) << "the model has no input named '" << name << "'";
    const std::string what = "feed '" + name + "'";
    ETCH_REQUIRE(py::isinstance<py::array>(obj), InvalidInput)
        << what << ": expected a numpy array, got " << std::string(py::str(obj.get_type().attr("__name__")));
    Tensor t = from_numpy(obj.cast<py::array>(), what);
    runtime::check_feed(what, t, *v);
    out[name] = std::move(t);
  }
  std::string missing;
  for (ir::ValueId id : g.inputs)
    if (!out.count(g.value(id).name)) missing += (missing.empty() ? "'" : ", '") + g.value(id).name + "'";
  ETCH_REQUIRE(missing.empty(), InvalidInput) << "no feed given for model input(s) " << missing;
  return out;
}

py::dict run_model(Model& m, const py::object& feeds, bool optimize) {
  const ir::Graph& g = m.graph();
  std::map<std::string, Tensor> in = feeds_arg(g, feeds);
  std::map<std::string, Tensor> out;
  {
    py::gil_scoped_release nogil;
    std::lock_guard<std::mutex> lock(m.run_mutex());
    out = m.interpreter(optimize).run_named(in);
  }
  py::dict d;
  for (ir::ValueId v : g.outputs) d[py::str(g.value(v).name)] = to_numpy(out.at(g.value(v).name));
  return d;
}

}  // namespace

void bind_model(py::module_& m) {
  py::class_<Model, std::shared_ptr<Model>>(
      m, "Model", py::dynamic_attr(), "A model in memory (ONNX or TFLite, float or quantized). Use etch.load(path).")
      .def_property_readonly("path", &Model::label, "Where the model came from (a path, or how it was made).")
      .def_property_readonly("closed", &Model::closed)
      .def(
          "summary", [](const Model& self) { return to_python(eval::model_summary_json(self.graph())); },
          "Everything `etch inspect --json` prints, as a dict.")
      .def(
          "run", [](Model& self, const py::object& feeds, bool optimize) { return run_model(self, feeds, optimize); },
          py::arg("feeds"), py::arg("optimize") = true,
          "Runs the reference interpreter as `etch run` does. feeds: one array (one-input model), a list in input\n"
          "order or a dict {input name: array}; returns {output name: array}.\n"
          "optimize=False is `etch run --no-optimize`.\n\n"
          ">>> m = etch.load('fixtures/cnn.onnx')\n>>> y = m.run(np.load('fixtures/cnn_input.npy'))")
      .def(
          "save",
          [](const Model& self, const std::string& path) {
            const ir::Graph& g = self.graph();
            py::gil_scoped_release nogil;
            onnx::export_model(g, path);
          },
          py::arg("path"), "Writes the model as ONNX (QDQ for a quantized model), atomically.")
      .def("close", &Model::close, "Frees the graph; any later use raises etch.InvalidInput.");
  m.def(
      "load",
      [](const std::string& path) {
        py::gil_scoped_release nogil;
        return std::make_shared<Model>(eval::load_model(path), path);
      },
      py::arg("path"),
      "Reads an ONNX or TFLite model (as every etch command does).\n\n>>> m = etch.load('model.onnx')");
}

}  // namespace etch::python
