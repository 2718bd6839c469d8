// The check every caller applies before feeding a tensor to a model input
// (`etch run --input`, the Python bindings' Model.run): dtype equal, no empty
// dimension, rank and every static dimension equal ('?' dimensions take any size).
#pragma once
#include <string>

#include "etch/core/tensor.h"
#include "etch/ir/graph.h"

namespace etch::runtime {

// InvalidInput naming `source` (a file, or "feed 'x'"), the input and what it expects.
void check_feed(const std::string& source, const Tensor& t, const ir::Value& input);

}  // namespace etch::runtime
