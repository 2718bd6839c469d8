// What `etch compile` and `etch simulate` accept: an integer graph (ai.etch
// ops), or a QDQ graph as `etch quantize` writes it, which is lowered to
// integer ops first. Lives in eval/ because the compiler sees only core, ir and
// npu: the QDQ -> integer step (quant/) is its caller's job.
#pragma once
#include <string>

#include "etch/ir/graph.h"

namespace etch::eval {

// Returns the integer graph; InvalidInput telling the user to run
// `etch quantize` when `g` holds no quantization at all. `label` names the
// model file in messages.
ir::Graph to_integer_graph(const ir::Graph& g, const std::string& label);

}  // namespace etch::eval
