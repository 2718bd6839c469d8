// Finite-difference checks of the Conv gradient (X, W, B) with strides, pads,
// dilations, groups, depthwise, 1-D and pointwise cases, plus thread-count
// independence (criterion: see grad_check.h).
#include "etch/core/thread_pool.h"
#include "grad_check.h"

namespace etch::gradtest {
namespace {

GradCase conv(Shape x, Shape w, bool bias, std::map<std::string, ir::Attribute> attrs) {
  GradCase c;
  c.op = "Conv";
  c.operands = {input(random_tensor(x, 1)), param(random_tensor(w, 2))};
  if (bias) c.operands.push_back(param(random_tensor({w[0]}, 3)));
  c.attrs = std::move(attrs);
  return c;
}

TEST(GradConv, Plain3x3WithBias) { check_gradients(conv({2, 3, 6, 6}, {4, 3, 3, 3}, true, {})); }

TEST(GradConv, Stride2AsymmetricPads) {
  check_gradients(conv({2, 2, 7, 6}, {3, 2, 3, 3}, true,
                       {{"strides", std::vector<int64_t>{2, 2}}, {"pads", std::vector<int64_t>{1, 0, 2, 1}}}));
}

TEST(GradConv, Dilation2Pad2) {
  check_gradients(conv({1, 2, 8, 8}, {3, 2, 3, 3}, true,
                       {{"dilations", std::vector<int64_t>{2, 2}}, {"pads", std::vector<int64_t>{2, 2, 2, 2}}}));
}

TEST(GradConv, Groups2) {
  check_gradients(
      conv({2, 4, 5, 5}, {6, 2, 3, 3}, true, {{"group", int64_t{2}}, {"pads", std::vector<int64_t>{1, 1, 1, 1}}}));
}

TEST(GradConv, DepthwiseStride2) {
  check_gradients(conv(
      {2, 3, 7, 7}, {3, 1, 3, 3}, true,
      {{"group", int64_t{3}}, {"strides", std::vector<int64_t>{2, 2}}, {"pads", std::vector<int64_t>{1, 1, 1, 1}}}));
}

TEST(GradConv, PointwiseNoBias) { check_gradients(conv({2, 3, 4, 5}, {5, 3, 1, 1}, false, {})); }

TEST(GradConv, AutoPadSameUpper1D) {
  check_gradients(conv({2, 2, 9}, {3, 2, 4}, true,
                       {{"auto_pad", std::string("SAME_UPPER")}, {"strides", std::vector<int64_t>{2}}}));
}

TEST(GradConv, RectangularKernelStride) {
  check_gradients(conv({1, 2, 6, 7}, {2, 2, 2, 3}, false, {{"strides", std::vector<int64_t>{1, 2}}}));
}

// The same backward with 1 and 2 threads gives identical bytes.
TEST(GradConv, ThreadCountIndependent) {
  auto run = [](int threads) {
    set_num_threads(threads);
    GradCase c = conv({17, 4, 9, 9}, {8, 4, 3, 3}, true, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}});
    ir::Graph g = one_node_graph(c);
    train::Autodiff ad(g, {}, /*input_grads=*/true);
    Tensor x = c.operands[0].value.clone();
    Tensor y = ad.forward({x}, true).at(0);
    ad.backward({random_tensor(y.shape(), 5)});
    std::vector<Tensor> out{ad.input_grad(0)};
    for (auto& p : ad.params()) out.push_back(p.grad.clone());
    return out;
  };
  const auto one = run(1);
  const auto two = run(2);
  set_num_threads(0);
  ASSERT_EQ(one.size(), 3u);
  ASSERT_EQ(two.size(), 3u);
  for (size_t i = 0; i < one.size(); ++i) EXPECT_TRUE(one[i].equals(two[i])) << "gradient " << i;
}

}  // namespace
}  // namespace etch::gradtest
