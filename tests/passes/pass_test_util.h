// Helpers the pass tests share: seeded inputs, op counts, output differences.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "etch/ir/builder.h"

namespace etch::passes::testing {

// Uniform in [-1, 1), seeded.
inline Tensor random_input(Shape s, uint64_t seed) {
  ir::Rng rng(seed);
  Tensor t(DType::F32, std::move(s));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = rng.uniform(-1.0f, 1.0f);
  return t;
}

inline int count_ops(const ir::Graph& g, const std::string& op) {
  return static_cast<int>(
      std::count_if(g.nodes().begin(), g.nodes().end(), [&](const ir::Node& n) { return n.op_type == op; }));
}

// Biases are zero in the builder; make every Conv's matter.
inline void randomize_bias(ir::Graph& g, uint64_t seed) {
  ir::Rng rng(seed);
  for (const auto& n : g.nodes())
    if (n.op_type == "Conv" && n.has_input(2)) {
      Tensor& t = *g.value(n.inputs[2]).data;
      for (int64_t k = 0; k < t.numel(); ++k) t.data<float>()[k] = rng.uniform(-0.5f, 0.5f);
    }
}

inline float max_abs_diff(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  float m = 0;
  for (int64_t i = 0; i < a.numel(); ++i) m = std::max(m, std::abs(a.data<float>()[i] - b.data<float>()[i]));
  return m;
}

}  // namespace etch::passes::testing
