// Kernels registered per (op, dtype of the first input). The interpreter
// allocates outputs from the op's shape inference before calling the kernel, so
// a kernel only fills output(i).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "etch/core/tensor.h"
#include "etch/ir/graph.h"

namespace etch::runtime {

class KernelContext {
 public:
  // plan_slot: where the interpreter keeps this node's plan between runs
  // (null: every plan is built for this run only). constant_inputs: bit i
  // set when input i is a graph constant (an initializer).
  KernelContext(const ir::Node& node, std::vector<const Tensor*> inputs, std::vector<Tensor>* outputs,
                std::shared_ptr<void>* plan_slot = nullptr, uint64_t constant_inputs = 0)
      : node_(node),
        inputs_(std::move(inputs)),
        outputs_(outputs),
        plan_slot_(plan_slot),
        constant_inputs_(constant_inputs) {}
  const ir::Node& node() const { return node_; }
  size_t num_inputs() const { return inputs_.size(); }
  bool has_input(size_t i) const { return i < inputs_.size() && inputs_[i] != nullptr; }
  const Tensor& input(size_t i) const;
  size_t num_outputs() const { return outputs_->size(); }
  Tensor& output(size_t i) { return (*outputs_)[i]; }
  [[noreturn]] void fail(const std::string& msg) const;  // InvalidInput naming the node
  // A graph constant holds the same values at every run of an interpreter,
  // so a plan may keep what it derives from them (a conv's packed weights).
  bool input_is_constant(size_t i) const { return has_input(i) && i < 64 && (constant_inputs_ >> i & 1) != 0; }

  // What the kernel derives from its node's attributes and its inputs' types
  // and shapes (parsed attributes, geometry), never from the values of inputs
  // that are not constants (input_is_constant), which may differ at the next
  // run: `build()` makes it on the node's first run,
  // and the interpreter keeps it for the later runs while the inputs' types
  // and shapes stay the same. One plan type per kernel.
  template <typename P, typename Build>
  const P& plan(Build&& build) {
    std::shared_ptr<void>& slot = plan_slot_ ? *plan_slot_ : local_plan_;
    if (!slot) slot = std::make_shared<P>(build());
    return *static_cast<const P*>(slot.get());
  }

 private:
  const ir::Node& node_;
  std::vector<const Tensor*> inputs_;
  std::vector<Tensor>* outputs_;
  std::shared_ptr<void>* plan_slot_;
  std::shared_ptr<void> local_plan_;
  uint64_t constant_inputs_;
};

using KernelFn = void (*)(KernelContext&);

// dtype std::nullopt registers a kernel that accepts any input dtype.
void register_kernel(const std::string& op_type, const std::string& domain, std::optional<DType> dtype, KernelFn fn);
KernelFn find_kernel(const std::string& op_type, const std::string& domain, DType dtype);
bool has_any_kernel(const std::string& op_type, const std::string& domain);
// Every op with at least one kernel, as "op" (ai.onnx) or "domain.op" like
// ir::registered_ops(); sorted, no duplicates.
std::vector<std::string> registered_kernels();

struct KernelRegistrar {
  KernelRegistrar(const char* op, const char* domain, std::optional<DType> dtype, KernelFn fn) {
    register_kernel(op, domain, dtype, fn);
  }
};

#define ETCH_KERNEL_CONCAT2(a, b) a##b
#define ETCH_KERNEL_CONCAT(a, b) ETCH_KERNEL_CONCAT2(a, b)
// ETCH_REGISTER_KERNEL("Relu", "", ::etch::DType::F32, relu_f32);
#define ETCH_REGISTER_KERNEL(op, domain, dtype, fn) \
  static ::etch::runtime::KernelRegistrar ETCH_KERNEL_CONCAT(etch_kernel_registrar_, __COUNTER__)(op, domain, dtype, fn)

}  // namespace etch::runtime
