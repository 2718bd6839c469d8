#pragma once
#include <string>

#include "etch/ir/graph.h"

namespace etch::ir {

// One line per node: "%out:f32[1,8,28,28] = Conv(%x, %w, %b) {pads=[1,1,1,1]}  # conv1"
std::string print_graph(const Graph& g);

}  // namespace etch::ir
