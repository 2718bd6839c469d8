// The one entry point every command uses to read a model file: ONNX or
// TFLite, decided by the file's contents ("TFL3" identifier) rather than its
// extension, so a misnamed file still gets the right reader and its errors.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "etch/ir/graph.h"
#include "etch/onnx/importer.h"

namespace etch::eval {

// What the user fixes about every ONNX model loaded afterwards in this process
// (`etch --const-input NAME=VALUE`, `etch --input-shape NAME=DIMS`): inputs
// bound to constants (one value, or one per element) and static shapes for
// inputs with symbolic dimensions. They win over the manifest's.
struct InputBindings {
  std::map<std::string, std::vector<double>> const_inputs;
  std::map<std::string, std::vector<int64_t>> input_shapes;
};
void set_input_bindings(InputBindings b);

// How load_model imports an ONNX file: constant folding with the reference
// interpreter (for If conditions); when `path` is a corpus model's cached file
// (`etch models path NAME`), its manifest's input shapes and kind = "constant"
// inputs; then set_input_bindings' bindings.
onnx::ImportOptions import_options(const std::string& path);

ir::Graph load_model(const std::string& path);

}  // namespace etch::eval
