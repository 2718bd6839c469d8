// Reverse-mode autodiff over an imported or built Graph. Forward runs the
// runtime's kernels (or an op's training-mode forward) and keeps every
// activation; backward walks the nodes in reverse applying the gradient table.
// Parameters are the graph's float constants in the weight slots of layers
// (Conv/ConvTranspose W and B, Gemm B and C, MatMul operands, BatchNorm scale
// and bias, PRelu slope); constants feeding element-wise ops (normalisation,
// scalars in exported graphs) stay fixed. Parameters share storage with the
// graph, so an optimizer step updates the model in place.
#pragma once
#include <any>
#include <set>
#include <string>
#include <vector>

#include "etch/core/tensor.h"
#include "etch/ir/graph.h"

namespace etch::train {

struct Param {
  ir::ValueId value;
  std::string name;
  Tensor data;  // shares storage with the graph constant
  Tensor grad;  // same shape, accumulated by backward()
};

class Autodiff {
 public:
  // frozen: names of constants not to train. Throws Unsupported naming every
  // node on a parameter→output path that has no gradient rule.
  // input_grads: also compute gradients w.r.t. the graph inputs (off by
  // default: training never needs them and they cost a full backward conv).
  // any_constant: every float constant in a differentiable slot is a parameter
  // (gradient checks of element-wise ops use this).
  explicit Autodiff(ir::Graph& g, const std::set<std::string>& frozen = {}, bool input_grads = false,
                    bool any_constant = false);

  // training=true uses batch statistics in BatchNormalization (and updates the
  // running statistics) and applies Dropout with a mask seeded by `seed`.
  std::vector<Tensor> forward(const std::vector<Tensor>& inputs, bool training, uint64_t seed = 0);
  // Gradients of the graph outputs (nullptr/undefined tensor = zero). Adds into
  // every Param::grad. Also keeps the gradient w.r.t. graph inputs.
  void backward(const std::vector<Tensor>& output_grads);
  void zero_grad();

  std::vector<Param>& params() { return params_; }
  const Tensor& input_grad(size_t i) const { return input_grads_.at(i); }
  // Activation of any value from the last forward (for observers, distillation).
  const Tensor& activation(ir::ValueId v) const { return env_.at(v); }
  ir::Graph& graph() { return graph_; }

 private:
  ir::Graph& graph_;
  std::vector<Param> params_;
  std::vector<int> param_of_value_;  // value id -> index in params_ or -1
  std::vector<bool> requires_grad_;  // per value
  std::vector<Tensor> env_;
  std::vector<std::vector<Tensor>> node_outputs_;
  std::vector<std::any> saved_;
  std::vector<Tensor> input_grads_;
};

}  // namespace etch::train
