// Per-node parameter and multiply-accumulate counts, from the value shapes the
// graph already carries (used by `etch inspect`, reports and the compiler's
// summaries).
//
// Conventions:
// - parameters: elements of a node's constant inputs (weights, biases, BN
//   statistics, scalar constants, shape tensors). A constant shared by several
//   nodes counts for each node, but only once in GraphCost::params.
// - MACs: multiply-accumulates of the ops that are made of them (their schema's
//   MacForm, ir/op_registry.h):
//     Conv / ConvInteger / QLinearConv:  N * Cout * prod(out spatial) * Cin/group * prod(kernel)
//     ConvTranspose:                      N * Cin * prod(in spatial) * Cout/group * prod(kernel)
//     Gemm / MatMul / MatMulInteger / QLinearMatMul:  M * N * K (times broadcast batch dims)
//     ai.etch QConv / QGemm (the integer graph): as Conv / Gemm
//   Every other op counts 0 (element-wise, pooling, normalisation and data
//   movement are not MACs; BatchNormalization is folded into Conv before it
//   reaches an NPU anyway).
// - Unknown dimensions (-1, e.g. a dynamic batch) count as 1, so for a model
//   with a dynamic batch the MACs are per sample. If a needed shape is missing
//   entirely (unknown rank), macs_known is false and macs is 0.
#pragma once
#include <cstdint>
#include <vector>

#include "etch/ir/graph.h"

namespace etch::ir {

struct NodeCost {
  int64_t params = 0;
  int64_t macs = 0;
  bool macs_known = true;
};

struct GraphCost {
  std::vector<NodeCost> nodes;  // parallel to Graph::nodes()
  int64_t params = 0;           // distinct constants used by nodes
  int64_t macs = 0;
  bool macs_known = true;   // false if any node's MACs could not be computed
  bool per_sample = false;  // true if some shape had an unknown dimension
};

NodeCost node_cost(const Graph& g, const Node& n);
GraphCost graph_cost(const Graph& g);

}  // namespace etch::ir
