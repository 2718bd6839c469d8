// Model size as the report shows it: the bytes of the constant tensors a graph
// holds (weights, biases, scales, zero points, shape constants) in their
// stored dtypes — f32 for a float model, int8/int4/int32 behind QDQ for a
// quantized one — and the number of elements.
#pragma once
#include "etch/eval/report.h"
#include "etch/ir/graph.h"

namespace etch::eval {

SizeEntry graph_size(const std::string& stage, const ir::Graph& g);

}  // namespace etch::eval
