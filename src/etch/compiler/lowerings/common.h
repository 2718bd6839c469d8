// Small queries the lowerings share about a node's inputs.
#pragma once
#include <algorithm>
#include <cstddef>

#include "etch/compiler/lower.h"
#include "etch/ir/graph.h"

namespace etch::compiler::lowerings {

// Input i's constant data, or null.
inline const Tensor* constant(const ir::Graph& g, const ir::Node& n, size_t i) {
  if (!n.has_input(i)) return nullptr;
  const ir::Value& v = g.value(n.inputs[i]);
  return v.data ? &*v.data : nullptr;
}

inline bool is_int8(const ir::Graph& g, const ir::Node& n, size_t i) {
  return n.has_input(i) && g.value(n.inputs[i]).dtype == DType::I8;
}

// Rank of a value's batch-1 shape (0 if unknown).
inline int rank(const ir::Graph& g, ir::ValueId v) { return static_cast<int>(batch1_shape(g.value(v)).size()); }

// Largest entry of `pads` (0 if absent): the halo the op reads around input 0.
inline int64_t max_pad(const ir::Node& n) {
  int64_t p = 0;
  for (int64_t x : n.attr_ints("pads", {})) p = std::max(p, x);
  return p;
}

}  // namespace etch::compiler::lowerings
