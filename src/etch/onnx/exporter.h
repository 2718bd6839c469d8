// Graph → ONNX. Writes a model that ONNX's checker accepts and that imports back
// to the same graph; quantized tensors (with QuantParams) become QDQ pairs once
// the quant stage exists.
#pragma once
#include <string>

#include "etch/ir/graph.h"

namespace etch::onnx {

std::string export_model_bytes(const ir::Graph& g);
void export_model(const ir::Graph& g, const std::string& path);  // atomic write

}  // namespace etch::onnx
