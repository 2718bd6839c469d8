// Finite-difference checks of pooling gradients (criterion: see grad_check.h).
// MaxPool inputs are distinct values 0.1 apart, so no window has a tie within
// the perturbation.
#include "grad_check.h"

namespace etch::gradtest {
namespace {

using Ints = std::vector<int64_t>;

GradCase pool(const std::string& op, Tensor x, std::map<std::string, ir::Attribute> attrs) {
  GradCase c;
  c.op = op;
  c.operands = {input(std::move(x))};
  c.attrs = std::move(attrs);
  return c;
}

TEST(GradPool, MaxPool2x2Stride2) {
  check_gradients(
      pool("MaxPool", distinct_tensor({2, 2, 6, 6}, 1), {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}}));
}

TEST(GradPool, MaxPoolOverlappingPaddedDilatedCeil) {
  check_gradients(pool("MaxPool", distinct_tensor({1, 2, 7, 7}, 2),
                       {{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}}));
  check_gradients(pool(
      "MaxPool", distinct_tensor({1, 2, 8, 8}, 3),
      {{"kernel_shape", Ints{2, 2}}, {"dilations", Ints{2, 2}}, {"ceil_mode", int64_t{1}}, {"strides", Ints{2, 2}}}));
}

TEST(GradPool, MaxPoolWithIndicesOutput) {
  GradCase c =
      pool("MaxPool", distinct_tensor({2, 3, 4, 4}, 4), {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}});
  c.num_outputs = 2;
  check_gradients(c);
}

// The training forward (which saves the argmax) must give the kernel's bytes,
// on the 2x2/stride-2 fast path and the general path, ties included.
TEST(GradPool, MaxPoolTrainingForwardMatchesKernel) {
  // Widths 6 and 19: output rows of 3 (scalar) and 9 (two 4-wide blocks and a tail).
  for (const auto& [general, width] : {std::pair{false, 6}, {false, 19}, {true, 6}}) {
    GradCase c =
        pool("MaxPool", random_tensor({2, 3, 7, width}, 10), {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}});
    if (general) c.attrs["pads"] = Ints{1, 0, 1, 1};
    float* x = c.operands[0].value.data<float>();
    for (int64_t i = 0; i < c.operands[0].value.numel(); i += 3) x[i] = 0.25f;  // ties
    ir::Graph g = one_node_graph(c);
    train::Autodiff ad(g, {}, /*input_grads=*/true);
    const Tensor train = ad.forward({c.operands[0].value}, true).at(0);
    const Tensor infer = ad.forward({c.operands[0].value}, false).at(0);
    EXPECT_TRUE(train.equals(infer)) << (general ? "general path" : "fast path") << ", width " << width;
    // Backward scatters to the saved argmax: the same gradient as recomputing it.
    const Tensor dy = random_tensor(train.shape(), 11);
    ad.forward({c.operands[0].value}, true);
    ad.backward({dy});
    const Tensor dx_saved = ad.input_grad(0);
    ad.forward({c.operands[0].value}, false);
    ad.backward({dy});
    EXPECT_TRUE(dx_saved.equals(ad.input_grad(0))) << "width " << width;
  }
}

TEST(GradPool, AveragePoolExcludePad) {
  check_gradients(pool("AveragePool", random_tensor({2, 2, 5, 5}, 5),
                       {{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}}));
}

TEST(GradPool, AveragePoolIncludePadCeil) {
  check_gradients(pool("AveragePool", random_tensor({1, 2, 6, 6}, 6),
                       {{"kernel_shape", Ints{3, 3}},
                        {"strides", Ints{2, 2}},
                        {"pads", Ints{1, 1, 1, 1}},
                        {"count_include_pad", int64_t{1}},
                        {"ceil_mode", int64_t{1}}}));
}

TEST(GradPool, AveragePool1D) {
  check_gradients(pool("AveragePool", random_tensor({2, 3, 9}, 7), {{"kernel_shape", Ints{4}}, {"strides", Ints{3}}}));
}

TEST(GradPool, GlobalAveragePool) { check_gradients(pool("GlobalAveragePool", random_tensor({2, 3, 4, 5}, 8), {})); }

TEST(GradPool, GlobalMaxPool) { check_gradients(pool("GlobalMaxPool", distinct_tensor({2, 3, 3, 3}, 9), {})); }

}  // namespace
}  // namespace etch::gradtest
