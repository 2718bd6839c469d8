#include "etch/eval/model_size.h"

#include <set>

namespace etch::eval {

SizeEntry graph_size(const std::string& stage, const ir::Graph& g) {
  SizeEntry s;
  s.stage = stage;
  std::set<ir::ValueId> seen;  // a constant read by several nodes is stored once
  for (const ir::Node& n : g.nodes())
    for (ir::ValueId v : n.inputs) {
      if (v == ir::kNoValue || !g.value(v).is_constant() || !seen.insert(v).second) continue;
      const Tensor& t = *g.value(v).data;
      s.bytes += static_cast<int64_t>(t.nbytes());
      s.params += t.numel();
    }
  return s;
}

}  // namespace etch::eval
