// Scale / zero-point layout of ONNX QuantizeLinear and DequantizeLinear:
// per tensor (scalar or one-element 1-D, as ONNX Runtime accepts) or per
// slice along `axis` (opset 13+, 1-D of length x.shape[axis]). Shared by
// shape inference and the kernels so both reject the same models.
#pragma once
#include <cstdint>

#include "etch/ir/graph.h"

namespace etch::ir {

// Returns -1 for per-tensor, else the normalized axis. zero_point may be null
// (omitted). Throws InvalidInput naming the node and the input on mismatches.
int64_t resolve_quant_axis(const Node& n, const Shape& x, const Shape& scale, const Shape* zero_point);

}  // namespace etch::ir
