// The QDQ format's two ops (ai.onnx), named once: what quantization writes and
// what every stage that reads a QDQ model matches.
#pragma once
#include "etch/ir/graph.h"

namespace etch::ir {

inline constexpr const char* kQuantizeLinear = "QuantizeLinear";
inline constexpr const char* kDequantizeLinear = "DequantizeLinear";
bool is_quantize_linear(const Node& n);
bool is_dequantize_linear(const Node& n);

}  // namespace etch::ir
