// numpy.matmul shape rules for MatMulInteger and QLinearMatMul: 1-D operands
// are promoted (and the added dim dropped from the output), batch dims
// broadcast. Shared by shape inference and the integer matmul kernels.
#pragma once
#include <cstdint>
#include <vector>

#include "etch/ir/graph.h"

namespace etch::ir {

struct MatMulGeometry {
  int64_t m = 0, k = 0, n = 0;
  Shape output_shape;
  // For each flattened output batch index: which matrix of A / B it reads
  // (filled only when every dim is known).
  std::vector<int64_t> a_matrix, b_matrix;
};

// Throws InvalidInput naming the node when K differs or batches don't broadcast.
MatMulGeometry resolve_matmul_geometry(const Node& n, const Shape& a, const Shape& b);

}  // namespace etch::ir
