// Gradient rules: one entry per op in a table (DESIGN.md: "gradient rules as one
// table"). A rule gets the node, its forward inputs and outputs, the gradient of
// each output, and writes the gradient of each input it can differentiate.
// Ops whose training-mode forward differs from inference (BatchNormalization,
// Dropout) also register a forward_train that saves what backward needs.
#pragma once
#include <any>
#include <cstdint>
#include <string>
#include <vector>

#include "etch/core/tensor.h"
#include "etch/ir/graph.h"

namespace etch::train {

struct ForwardTrainContext {
  const ir::Node& node;
  std::vector<const Tensor*> inputs;
  // Preallocated from shape inference and uninitialised: a forward_train
  // writes every element of every output (or replaces the tensors).
  std::vector<Tensor>& outputs;
  std::any& saved;  // anything backward needs
  uint64_t seed;    // per node and step, for Dropout
  // For BatchNormalization: running statistics to update in place.
  std::vector<Tensor*> mutable_inputs;
};

struct GradContext {
  const ir::Node& node;
  std::vector<const Tensor*> inputs;        // forward inputs (nullptr if absent)
  const std::vector<Tensor>& outputs;       // forward outputs
  std::vector<const Tensor*> output_grads;  // nullptr when an output has no gradient
  const std::any& saved;
  std::vector<bool> needs_grad;     // per input: compute only these
  std::vector<Tensor> input_grads;  // rule fills those it needs (same shape as input)
  const Tensor& in(size_t i) const { return *inputs[i]; }
  const Tensor& gout(size_t i = 0) const { return *output_grads[i]; }
  bool wants(size_t i) const { return i < needs_grad.size() && needs_grad[i]; }
};

using GradFn = void (*)(GradContext&);
using ForwardTrainFn = void (*)(ForwardTrainContext&);

struct GradRule {
  GradRule() = default;
  GradRule(GradFn b, ForwardTrainFn f, std::vector<int> diff, std::vector<int> params = {})
      : backward(b), forward_train(f), differentiable_inputs(std::move(diff)), parameter_inputs(std::move(params)) {}
  GradFn backward = nullptr;
  ForwardTrainFn forward_train = nullptr;  // nullptr: the runtime kernel is used
  std::vector<int> differentiable_inputs;  // input indices a gradient exists for
  // Inputs that are trained parameters when they are constants (a Conv's
  // weight and bias); other constant inputs stay fixed unless the caller asks
  // for every constant.
  std::vector<int> parameter_inputs;
};

void register_grad(const std::string& op_type, GradRule rule);
const GradRule* find_grad(const std::string& op_type);
// The op types with a gradient rule (for the op consistency test).
std::vector<std::string> registered_grads();

struct GradRegistrar {
  GradRegistrar(const char* op, GradRule rule) { register_grad(op, std::move(rule)); }
};
#define ETCH_GRAD_CONCAT2(a, b) a##b
#define ETCH_GRAD_CONCAT(a, b) ETCH_GRAD_CONCAT2(a, b)
#define ETCH_REGISTER_GRAD(op, ...)                                                        \
  static ::etch::train::GradRegistrar ETCH_GRAD_CONCAT(etch_grad_registrar_, __COUNTER__)( \
      op, ::etch::train::GradRule __VA_ARGS__)

// Sums a broadcast gradient back to the operand's shape (numpy broadcasting).
Tensor reduce_to_shape(const Tensor& grad, const Shape& shape);

}  // namespace etch::train
