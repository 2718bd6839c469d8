// ONNX → Graph. Parses with protobuf, runs ONNX's checker and shape inference,
// then converts. Constant nodes become constant values (weights like any
// initializer); an If whose condition folds to a constant is replaced by the
// branch it takes (onnx/if_folding.cc); external data is read only from files
// inside the model's own folder.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "etch/ir/graph.h"

namespace etch::onnx {

struct ImportOptions {
  bool run_checker = true;
  bool run_shape_inference = true;
  // Graph inputs bound to constant values before anything else looks at the
  // model (e.g. a sample-rate input "sr" = {16000}): each leaves the inputs and
  // becomes an initializer of its declared type and static shape, filled from
  // one value or from one value per element. A name that is no input of the
  // model is skipped with a warning.
  std::map<std::string, std::vector<double>> const_inputs;
  // Static shapes for graph inputs with symbolic dimensions (e.g. "input" =
  // {1, 512} for a [?, ?] input), set before shape inference, so that shape
  // arithmetic (and an If testing it) folds. Throws InvalidInput naming the
  // input when the rank or a fixed dimension disagrees; other names are skipped
  // with a warning.
  std::map<std::string, std::vector<int64_t>> input_shapes;
  // Constant-folds the graph converted so far. Called when an If's condition
  // is not a constant value yet; onnx/ may not use runtime/ or passes/
  // (DESIGN.md), so callers inject them (eval::load_model does). Without it,
  // only an If whose condition is directly a constant folds.
  std::function<void(ir::Graph&)> fold;
};

// Throws etch::Error (InvalidInput naming the file, node or tensor; Unsupported
// listing every unsupported node) — never crashes on bad bytes.
ir::Graph import_model(const std::string& path, const ImportOptions& opts = {});
// base_dir: folder that external data locations are resolved against and
// confined to; label: used in error messages instead of a path.
ir::Graph import_model_bytes(const std::string& bytes, const std::string& base_dir, const std::string& label,
                             const ImportOptions& opts = {});

// A serialized onnx.TensorProto file (the conformance suite's input_*.pb).
Tensor read_tensor_proto_file(const std::string& path);

}  // namespace etch::onnx
