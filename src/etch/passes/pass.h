// One signature for every pass: bool run(Graph&, const PassContext&), true when
// the graph changed; "no match" is not an error.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "etch/ir/graph.h"

namespace etch::passes {

struct PassContext {
  // Evaluates one node on constant inputs. passes/ may not depend on runtime/
  // (DESIGN.md), so callers inject the interpreter's run_node here; without it,
  // constant folding does nothing.
  std::function<std::vector<Tensor>(const ir::Node&, const std::vector<const Tensor*>&)> evaluate;
  bool verify_each = true;  // run the verifier after every pass
};

struct Pass {
  std::string name;
  std::function<bool(ir::Graph&, const PassContext&)> run;
};

}  // namespace etch::passes
