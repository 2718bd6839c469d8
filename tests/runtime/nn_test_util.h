// Helpers for the nn_* kernel tests: build a single node and run it through
// the op schema + kernel exactly as the interpreter does.
#pragma once
#include <map>
#include <random>
#include <string>
#include <vector>

#include "etch/core/tensor.h"
#include "etch/ir/graph.h"
#include "etch/runtime/interpreter.h"

namespace etch::runtime::testing {

inline ir::Node make_node(const std::string& op, size_t n_inputs, std::map<std::string, ir::Attribute> attrs = {},
                          size_t n_outputs = 1, const std::string& name = "n0") {
  ir::Node n;
  n.name = name;
  n.op_type = op;
  for (size_t i = 0; i < n_inputs; ++i) n.inputs.push_back(static_cast<int>(i));
  for (size_t i = 0; i < n_outputs; ++i) n.outputs.push_back(static_cast<int>(n_inputs + i));
  n.attrs = std::move(attrs);
  return n;
}

inline std::vector<Tensor> run(const ir::Node& n, const std::vector<const Tensor*>& inputs) {
  return run_node(n, inputs);
}

inline Tensor random_tensor(Shape shape, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  Tensor t(DType::F32, std::move(shape));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = dist(rng);
  return t;
}

inline std::vector<float> float_values(const Tensor& t) { return t.to_float_vector(); }

// ai.etch.FusedConv (x, w, b) with Relu and a 2x2 stride-2 max pool.
inline ir::Node fused_conv_relu_pool2x2(std::map<std::string, ir::Attribute> attrs) {
  ir::Node n = make_node("FusedConv", 3, std::move(attrs));
  n.domain = "ai.etch";
  n.attrs["activation"] = std::string("Relu");
  n.attrs["pool_kernel"] = std::vector<int64_t>{2, 2};
  n.attrs["pool_strides"] = std::vector<int64_t>{2, 2};
  return n;
}

}  // namespace etch::runtime::testing
