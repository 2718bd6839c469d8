#include "etch/eval/integer_graph.h"

#include "etch/compiler/compiler.h"
#include "etch/quant/lower_qdq.h"
#include "etch/quant/ptq.h"

namespace etch::eval {

ir::Graph to_integer_graph(const ir::Graph& g, const std::string& label) {
  if (quant::count_integer_ops(g) > 0) return g;
  if (quant::is_quantized(g)) {
    ir::Graph lowered = quant::lower_qdq(g);
    compiler::require_integer_graph(lowered, label);
    return lowered;
  }
  compiler::require_integer_graph(g, label);  // throws with the "run etch quantize" message
  return g;
}

}  // namespace etch::eval
