// Runs one node on concrete tensors through the op schema and kernel, the way
// the interpreter does. std::nullopt inputs are omitted optional inputs.
#pragma once
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "etch/ir/graph.h"
#include "etch/runtime/interpreter.h"
#include "expect_error.h"

namespace etch::testing {

using Attrs = std::map<std::string, ir::Attribute>;

inline std::vector<Tensor> run_op(const std::string& op, const std::vector<std::optional<Tensor>>& inputs,
                                  Attrs attrs = {}, int num_outputs = 1, const std::string& name = "n1") {
  ir::Node node;
  node.id = 0;
  node.name = name;
  node.op_type = op;
  node.attrs = std::move(attrs);
  std::vector<const Tensor*> ptrs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    node.inputs.push_back(inputs[i] ? static_cast<ir::ValueId>(i) : ir::kNoValue);
    ptrs.push_back(inputs[i] ? &*inputs[i] : nullptr);
  }
  for (int i = 0; i < num_outputs; ++i) node.outputs.push_back(static_cast<ir::ValueId>(inputs.size() + i));
  return runtime::run_node(node, ptrs);
}

inline Tensor run1(const std::string& op, const std::vector<std::optional<Tensor>>& inputs, Attrs attrs = {}) {
  return run_op(op, inputs, std::move(attrs))[0];
}

inline Tensor f32(Shape s, std::vector<float> v) { return Tensor::from_vector<float>(std::move(s), v); }
inline Tensor i64(Shape s, std::vector<int64_t> v) { return Tensor::from_vector<int64_t>(std::move(s), v); }
inline Tensor i32(Shape s, std::vector<int32_t> v) { return Tensor::from_vector<int32_t>(std::move(s), v); }
inline Tensor b8(Shape s, std::vector<bool> v) { return Tensor::from_vector<bool>(std::move(s), v); }

// 0, 1, ..., n-1.
inline std::vector<float> iota(int n) {
  std::vector<float> v(n);
  for (int i = 0; i < n; ++i) v[i] = static_cast<float>(i);
  return v;
}

template <typename T>
std::vector<T> values(const Tensor& t) {
  std::vector<T> out(t.numel());
  for (int64_t i = 0; i < t.numel(); ++i) out[i] = t.data<T>()[i];
  return out;
}

inline void expect_floats_near(const Tensor& t, const std::vector<float>& expected, float tol = 1e-5f) {
  ASSERT_EQ(t.dtype(), DType::F32);
  ASSERT_EQ(t.numel(), static_cast<int64_t>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(t.data<float>()[i], expected[i], tol) << "element " << i;
}

}  // namespace etch::testing
