// The nodes a quantization plan leaves in float, each with the reason, for the
// summary of `etch quantize`: PTQ puts QuantizeLinear/DequantizeLinear at the
// boundary of every float region, so a model always quantizes; this says where
// it stayed float and why.
#pragma once
#include <set>
#include <string>
#include <vector>

#include "etch/ir/graph.h"
#include "etch/quant/ptq_plan.h"

namespace etch::quant {

struct FloatNode {
  std::string node, op;
  std::string why;  // the rule's refusal, "no rule for op X", "--keep-float", or why the rule does not apply
};

// Nodes of `prepared` (the graph the plan was made for) that compute in float.
// Shape arithmetic on integer tensors (Shape, Gather of i64, ...) is not listed.
std::vector<FloatNode> float_nodes(const ir::Graph& prepared, const QuantPlan& plan,
                                   const std::set<std::string>& keep_float);

}  // namespace etch::quant
