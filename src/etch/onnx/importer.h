// ONNX → Graph. Parses with protobuf, runs ONNX's checker and shape inference,
// then converts. Constant nodes become constant values; external data is read
// only from files inside the model's own folder.
#pragma once
#include <string>

#include "etch/ir/graph.h"

namespace etch::onnx {

struct ImportOptions {
  bool run_checker = true;
  bool run_shape_inference = true;
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
