// .tflite → Graph (docs/tflite.md). The file is checked with FlatBuffers'
// verifier before anything is read, every index and constant size is
// validated, and unsupported operators are reported all at once. NHWC
// activations are computed in etch's NCHW layout inside the graph; inputs and
// outputs keep TFLite's shapes. Quantized (int8/uint8) tensors become
// QuantizeLinear/DequantizeLinear pairs with TFLite's scales and zero points.
#pragma once
#include <string>

#include "etch/ir/graph.h"

namespace etch::tflite {

// Throws etch::Error: InvalidInput naming the file and the tensor or operator,
// Unsupported listing every operator etch cannot convert.
ir::Graph import_model(const std::string& path);
ir::Graph import_model_bytes(const std::string& bytes, const std::string& label);

// True when the bytes are a TFLite flatbuffer ("TFL3" identifier).
bool is_tflite(const std::string& bytes);

}  // namespace etch::tflite
