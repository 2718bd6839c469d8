// Helpers for the quantized-op kernel tests: build a one-node graph fragment
// and run it through the registry (schema inference + kernel).
#pragma once
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "etch/core/error.h"
#include "etch/ir/graph.h"
#include "etch/runtime/interpreter.h"

namespace etch::runtime::quant_test {

inline ir::Node make_quant_node(const std::string& op, size_t num_inputs,
                                std::map<std::string, ir::Attribute> attrs = {}) {
  const size_t num_outputs = op == "DynamicQuantizeLinear" ? 3 : 1;
  ir::Node n;
  n.id = 0;
  n.name = "q_" + op;
  n.op_type = op;
  for (size_t i = 0; i < num_inputs; ++i) n.inputs.push_back(static_cast<int>(i));
  for (size_t i = 0; i < num_outputs; ++i) n.outputs.push_back(static_cast<int>(num_inputs + i));
  n.attrs = std::move(attrs);
  return n;
}

// nullptr entries are omitted optional inputs.
inline Tensor run1(const ir::Node& n, const std::vector<const Tensor*>& inputs) {
  std::vector<Tensor> out = run_node(n, inputs);
  EXPECT_EQ(out.size(), 1u);
  return out.at(0);
}

// n uniform int8 values from a seeded generator.
inline std::vector<int8_t> random_int8(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(-128, 127);
  std::vector<int8_t> v(static_cast<size_t>(n));
  for (int8_t& e : v) e = static_cast<int8_t>(d(rng));
  return v;
}

template <typename T>
std::vector<T> values(const Tensor& t) {
  const T* p = t.data<T>();
  return std::vector<T>(p, p + t.numel());
}

// Runs and expects an etch::Error whose message contains every fragment.
inline void expect_error(const ir::Node& n, const std::vector<const Tensor*>& inputs,
                         const std::vector<std::string>& fragments) {
  try {
    run_node(n, inputs);
    ADD_FAILURE() << "expected an error from " << n.describe();
  } catch (const Error& e) {
    const std::string msg = e.what();
    for (const auto& f : fragments) EXPECT_NE(msg.find(f), std::string::npos) << "missing '" << f << "' in: " << msg;
  }
}

}  // namespace etch::runtime::quant_test
