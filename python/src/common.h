// Shared by the binding files: numpy <-> Tensor, JSON -> Python objects, data
// arguments, and the one `etch.Model` handle type.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "etch/core/tensor.h"
#include "etch/data/dataset.h"
#include "etch/ir/graph.h"
#include "etch/runtime/interpreter.h"

namespace etch::python {

namespace py = pybind11;

// A numpy array viewing the tensor's storage (kept alive by the array); no copy.
py::array to_numpy(const Tensor& t);
// A tensor holding a copy of the array's values; InvalidInput naming `what` for
// dtypes etch has no equivalent of.
Tensor from_numpy(const py::array& a, const std::string& what);

// nlohmann::json -> dict / list / str / int / float / bool / None.
py::object to_python(const nlohmann::json& j);

// A model in memory: a graph and where it came from. close() frees the graph;
// every later use raises InvalidInput.
class Model {
 public:
  Model(ir::Graph g, std::string label);
  const ir::Graph& graph() const;
  const std::string& label() const { return label_; }
  bool closed() const { return !graph_; }
  void close();
  // The graph `etch run` executes (inference pipeline applied unless
  // `optimize` is false) and its interpreter, built on first use.
  runtime::Interpreter& interpreter(bool optimize);
  std::mutex& run_mutex() { return run_mutex_; }

 private:
  std::shared_ptr<ir::Graph> graph_;
  std::string label_;
  std::unique_ptr<ir::Graph> optimized_;
  std::unique_ptr<runtime::Interpreter> interp_[2];  // [optimize]
  std::mutex run_mutex_;
};

// etch.load()'s or a Model argument's graph: `m` is a Model or a path.
const Model& model_arg(const py::object& m);

// What the CLI writes is what the CLI's next command reads: a Model holding
// the graph as exporting it to ONNX and importing it back gives it.
std::shared_ptr<Model> as_written(const ir::Graph& g, const std::string& label);

// A data-set spec string (loaded with the GIL released), or (dict {input name:
// array [N, ...]}, labels [N] or None) as etch/__init__.py makes from any
// iterable of batches. InvalidInput naming `what` for anything else.
data::Dataset dataset_arg(const py::object& d, const std::string& what);

void bind_errors(py::module_& m);
void bind_model(py::module_& m);
void bind_transform(py::module_& m);
void bind_train(py::module_& m);
void bind_program(py::module_& m);
void bind_report(py::module_& m);

}  // namespace etch::python
