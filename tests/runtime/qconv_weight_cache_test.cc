// A QConv whose weights and bias are graph constants keeps what the conv
// paths derive from them (packed pairs, oneDNN's reordered layout) in its
// plan between runs: every run must give the reference loops' bytes, and a
// QConv whose weights are a graph input must read the weights of each run.
#include <gtest/gtest.h>

#include <algorithm>

#include "etch/ir/graph.h"
#include "etch/runtime/integer_fast_paths.h"
#include "etch/runtime/interpreter.h"
#include "etch/runtime/requantize.h"
#include "runtime/quant_test_util.h"

namespace etch::runtime {
namespace {

using namespace quant_test;
using Ints = std::vector<int64_t>;

Tensor random_int8_tensor(const Shape& shape, uint32_t seed) {
  return Tensor::from_vector<int8_t>(shape, random_int8(shape_numel(shape), seed));
}

Tensor bias_of(int64_t channels) {
  Tensor b(DType::I32, {channels});
  for (int64_t i = 0; i < channels; ++i) b.data<int32_t>()[i] = static_cast<int32_t>(i * 37 % 501) - 250;
  return b;
}

// y = QConv(x, w, b), 3x3, padding 1; w and b constants, or graph inputs.
ir::Graph qconv_graph(int64_t c, int64_t m, int64_t hw, const Tensor* w, const Tensor* b) {
  ir::Graph g;
  g.opset = 13;
  const ir::ValueId x = g.add_input("x", DType::I8, {1, c, hw, hw});
  const ir::ValueId wv = w ? g.add_constant("w", *w) : g.add_input("w", DType::I8, {m, c, 3, 3});
  const ir::ValueId bv = b ? g.add_constant("b", *b) : g.add_input("b", DType::I32, {m});
  const ir::ValueId y = g.add_value("y", DType::I8, {}, false);
  const QuantizedMultiplier q = quantize_multiplier(0.0015);
  g.add_node("QConv", {x, wv, bv}, {y}, "conv",
             {{"pads", Ints{1, 1, 1, 1}},
              {"x_zero_point", int64_t{5}},
              {"multipliers", Ints(static_cast<size_t>(m), q.multiplier)},
              {"shifts", Ints(static_cast<size_t>(m), q.shift)}},
             "ai.etch");
  g.outputs = {y};
  return g;
}

// The reference loops' bytes for the same graph and inputs.
std::vector<int8_t> reference(const ir::Graph& g, const std::vector<Tensor>& inputs) {
  set_integer_fast_paths(false);
  Interpreter interp(g);
  const Tensor y = interp.run(inputs)[0];
  set_integer_fast_paths(true);
  return values<int8_t>(y);
}

// 32 -> 192 channels (K = 288, several 64-channel blocks: the oneDNN path
// where the CPU has int8 dot products) and 8 -> 16 (K = 72: the im2col pairs
// path).
class ConstantWeights : public ::testing::TestWithParam<std::pair<int64_t, int64_t>> {};

TEST_P(ConstantWeights, EveryRunGivesTheReferenceBytes) {
  const auto [c, m] = GetParam();
  const Tensor w = random_int8_tensor({m, c, 3, 3}, 11);
  const Tensor b = bias_of(m);
  const ir::Graph g = qconv_graph(c, m, 20, &w, &b);
  Interpreter kept(g);
  for (uint32_t run = 0; run < 3; ++run) {
    const Tensor x = random_int8_tensor({1, c, 20, 20}, 100 + run);
    const std::vector<int8_t> got = values<int8_t>(kept.run({x})[0]);
    ASSERT_EQ(got, reference(g, {x})) << "run " << run;
    EXPECT_NE(*std::min_element(got.begin(), got.end()), *std::max_element(got.begin(), got.end()));
  }
}

INSTANTIATE_TEST_SUITE_P(QConvWeightCache, ConstantWeights,
                         ::testing::Values(std::pair<int64_t, int64_t>{32, 192}, std::pair<int64_t, int64_t>{8, 16}));

TEST(QConvWeightCache, WeightsGivenAsInputsAreReadOnEveryRun) {
  for (const auto& [c, m] : {std::pair<int64_t, int64_t>{32, 192}, std::pair<int64_t, int64_t>{8, 16}}) {
    const ir::Graph g = qconv_graph(c, m, 20, nullptr, nullptr);
    Interpreter kept(g);
    const Tensor x = random_int8_tensor({1, c, 20, 20}, 7);
    std::vector<int8_t> first;
    for (uint32_t run = 0; run < 3; ++run) {
      // Each run's weights in a fresh tensor, the previous one's freed first,
      // so the new weights may sit at the old address.
      const std::vector<Tensor> inputs{x, random_int8_tensor({m, c, 3, 3}, 20 + run), bias_of(m)};
      const std::vector<int8_t> got = values<int8_t>(kept.run(inputs)[0]);
      ASSERT_EQ(got, reference(g, inputs)) << c << "->" << m << " run " << run;
      if (run == 0)
        first = got;
      else
        EXPECT_NE(got, first) << "run " << run << " gave the first run's result";
    }
  }
}

}  // namespace
}  // namespace etch::runtime
