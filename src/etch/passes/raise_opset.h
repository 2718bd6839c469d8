// Raising a graph written for ONNX opset 11 or 12 to opset 13, the first opset
// whose DequantizeLinear takes an `axis` (per-channel weights). The ops whose
// form changed at 13 are rewritten to the new form with the same meaning:
// Split's `split`, Squeeze's, Unsqueeze's and ReduceSum's `axes` move from an
// attribute to a constant input, and Softmax/LogSoftmax/Hardmax (which before 13
// flattened the input to 2-D at `axis`) get an explicit last axis when that is
// where they work. Anything else with an opset-12 meaning that 13 does not
// share (e.g. a Softmax over several trailing axes) is refused.
#pragma once
#include <string>

#include "etch/ir/graph.h"

namespace etch::passes {
// Returns "" after raising g.opset to 13 (or when it already is >= 13), else
// the reason the graph cannot be raised (g is then unchanged).
std::string raise_to_opset13(ir::Graph& g);
}  // namespace etch::passes
