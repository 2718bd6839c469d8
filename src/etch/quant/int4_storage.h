// How W4A8 weights are stored in an ONNX file. Debian's ONNX (1.12) has no
// INT4 tensor type, so a 4-bit weight is written as a UINT8 initializer of
// ceil(n/2) bytes (two signed values per byte, low nibble first, exactly the
// in-memory DType::I4 layout) feeding one node
//   ai.etch.UnpackInt4(packed: uint8[ceil(n/2)]) -> int8[shape]   attribute shape
// whose int8 output goes into the ordinary DequantizeLinear. etch runs the node
// (kernel below) and lower_qdq folds it into the integer op's I4 weight;
// ONNX Runtime does not know it — PtqOptions::int4_as_int8 writes the same
// values as a plain int8 initializer instead (4× larger, ORT-runnable).
#pragma once
#include <string>

#include "etch/ir/graph.h"

namespace etch::quant {

inline constexpr const char* kUnpackInt4 = "UnpackInt4";

// Appends the packed constant and the UnpackInt4 node for int8 tensor `w`
// (values in [-8, 7]); returns the int8 output value.
ir::ValueId add_packed_int4(ir::Graph& g, const Tensor& w, const std::string& name);

// When v is produced by UnpackInt4 of a constant: the packed tensor as
// DType::I4 (shape of the unpacked value). Undefined tensor otherwise.
Tensor packed_int4_source(const ir::Graph& g, ir::ValueId v);

}  // namespace etch::quant
