// The reference interpreter: the living definition of etch's semantics. Runs a
// Graph node by node; output shapes come from the op registry's inference with
// every input known, then the (op, dtype) kernel fills them.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "etch/core/tensor.h"
#include "etch/ir/graph.h"
#include "etch/ir/op_registry.h"
#include "etch/runtime/kernel_registry.h"

namespace etch::runtime {

class Interpreter {
 public:
  // Checks up front that every node has a schema and a kernel; reports all
  // unsupported nodes in one Unsupported error.
  explicit Interpreter(const ir::Graph& g);

  // Inputs in graph-input order. Each is checked against the declared dtype,
  // rank and static dims (dynamic dims accept any size); errors name the input.
  std::vector<Tensor> run(const std::vector<Tensor>& inputs);
  std::map<std::string, Tensor> run_named(const std::map<std::string, Tensor>& inputs);

  // Called after every node with its outputs (calibration, SQNR, debugging).
  using Observer = std::function<void(const ir::Node&, const std::vector<Tensor>& outputs)>;
  void set_observer(Observer obs) { observer_ = std::move(obs); }
  // Extra values to return from run() by id (e.g. intermediate activations).
  void keep_values(std::vector<ir::ValueId> ids) { keep_ = std::move(ids); }
  const std::map<ir::ValueId, Tensor>& kept() const { return kept_values_; }

  const ir::Graph& graph() const { return graph_; }

  // What a node's run needs besides its inputs: the kernel, the output types
  // and whether its kernel may overwrite them uninitialised, and the
  // kernel's plan (KernelContext::plan). Kept per node while the inputs'
  // types and shapes stay those of `input_types` and the inference did not
  // read input values (`reusable`); prepared again otherwise.
  struct NodeState {
    KernelFn fn = nullptr;
    std::vector<ir::TypeInfo> outputs;
    bool zero_fill = true;
    bool reusable = false;
    std::vector<std::optional<ir::TypeInfo>> input_types;
    std::shared_ptr<void> plan;
    uint64_t constant_inputs = 0;  // KernelContext::input_is_constant, set from the graph
    void prepare(const ir::Node& node, const std::vector<const Tensor*>& inputs);
    bool matches(const std::vector<const Tensor*>& inputs) const;
    // The node's outputs: allocated from `outputs`, filled by `fn`.
    std::vector<Tensor> run(const ir::Node& node, const std::vector<const Tensor*>& inputs);
  };

 private:
  const ir::Graph& graph_;
  Observer observer_;
  std::vector<ir::ValueId> keep_;
  std::map<ir::ValueId, Tensor> kept_values_;
  std::vector<int> last_use_;  // node index after which a value can be freed
  std::vector<NodeState> states_;
};

// Runs one node on concrete inputs (used by constant folding and tests).
std::vector<Tensor> run_node(const ir::Node& node, const std::vector<const Tensor*>& inputs);
// Output tensors of the dtype and shape the op's inference gives: zero-filled,
// or left uninitialised for a caller that writes every element.
std::vector<Tensor> allocate_outputs(const ir::Node& node, const std::vector<const Tensor*>& inputs,
                                     bool zero_fill = true);

// Test aid: with `on`, outputs left uninitialised (kernels that declare they
// overwrite every element) are filled with NaN (float) or 0x5A bytes first,
// so a kernel that misses elements gives visibly wrong results instead of
// whatever the memory held (fresh pages are zero, which hides it in small
// tests). Off by default; process-wide.
void set_poison_uninitialised_outputs(bool on);

}  // namespace etch::runtime
