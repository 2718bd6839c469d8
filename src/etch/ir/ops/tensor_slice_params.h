// Slice's per-axis (start, step, length) after ONNX's clamping rules, shared by
// the schema (output shape) and the runtime kernel (addressing).
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "etch/ir/graph.h"

namespace etch::ir {

struct SliceAxis {
  int64_t start = 0;  // first element taken (valid index when length > 0)
  int64_t step = 1;
  int64_t length = 0;  // -1 when the input dim is unknown
};

// Resolves Slice's starts/ends/axes/steps for `shape`: from attributes before
// opset 10, from inputs 1..4 after. `values` are the node's input values (null
// when unknown). Returns nullopt when a needed input value is unknown. One entry
// per input dim (untouched dims take the whole dim).
std::optional<std::vector<SliceAxis>> resolve_slice(const Node& n, const Shape& shape,
                                                    const std::vector<const Tensor*>& values);

}  // namespace etch::ir
