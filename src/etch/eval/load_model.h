// The one entry point every command uses to read a model file: ONNX or
// TFLite, decided by the file's contents ("TFL3" identifier) rather than its
// extension, so a misnamed file still gets the right reader and its errors.
#pragma once
#include <string>

#include "etch/ir/graph.h"

namespace etch::eval {

ir::Graph load_model(const std::string& path);

}  // namespace etch::eval
