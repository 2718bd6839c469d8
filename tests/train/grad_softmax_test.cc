// Finite-difference checks of Softmax / LogSoftmax (both opset axis semantics),
// reductions and Dropout (criterion: see grad_check.h).
#include "grad_check.h"

namespace etch::gradtest {
namespace {

using Ints = std::vector<int64_t>;

GradCase one(const std::string& op, Tensor x, std::map<std::string, ir::Attribute> attrs, int64_t opset = 17) {
  GradCase c;
  c.op = op;
  c.operands = {input(std::move(x))};
  c.attrs = std::move(attrs);
  c.opset = opset;
  return c;
}

TEST(GradSoftmax, SoftmaxAxis1Opset13) {
  check_gradients(one("Softmax", random_tensor({2, 3, 4}, 1, -2.0f, 2.0f), {{"axis", int64_t{1}}}));
}
TEST(GradSoftmax, SoftmaxDefaultAxisLast) {
  check_gradients(one("Softmax", random_tensor({3, 5}, 2, -2.0f, 2.0f), {}));
}
TEST(GradSoftmax, SoftmaxOpset11CoercesTo2D) {
  check_gradients(one("Softmax", random_tensor({2, 3, 4}, 3, -2.0f, 2.0f), {{"axis", int64_t{1}}}, 11));
}
TEST(GradSoftmax, LogSoftmaxAxis0) {
  check_gradients(one("LogSoftmax", random_tensor({3, 4}, 4, -2.0f, 2.0f), {{"axis", int64_t{0}}}));
}
TEST(GradSoftmax, LogSoftmaxOpset11DefaultAxis) {
  check_gradients(one("LogSoftmax", random_tensor({2, 3, 2}, 5, -2.0f, 2.0f), {}, 11));
}

TEST(GradReduce, ReduceMeanAxesAttrKeepdims0) {
  check_gradients(one("ReduceMean", random_tensor({2, 3, 4}, 6), {{"axes", Ints{0, 2}}, {"keepdims", int64_t{0}}}));
}
TEST(GradReduce, ReduceSumAxesInput) {
  GradCase c = one("ReduceSum", random_tensor({2, 3, 4}, 7), {});
  c.operands.push_back(constant(Tensor::from_vector<int64_t>({1}, {-1})));
  check_gradients(c);
}
TEST(GradReduce, ReduceSumAllDims) {
  check_gradients(one("ReduceSum", random_tensor({2, 3}, 8), {{"keepdims", int64_t{0}}}));
}

TEST(GradDropout, TrainingMaskScaleAndDeterminism) {
  GradCase c = one("Dropout", random_tensor({4, 50}, 9, 0.5f, 1.5f), {});
  c.operands.push_back(constant(Tensor::scalar<float>(0.3f)));
  auto g = check_gradients(c);
  // Gradient is 0 (dropped) or 1/(1-0.3); with R as dy: dx = R * mask * scale.
  ir::Graph graph = one_node_graph(c);
  train::Autodiff ad(graph);
  Tensor x = c.operands[0].value.clone();
  Tensor y1 = ad.forward({x}, true, 5).at(0);
  Tensor y2 = ad.forward({x}, true, 5).at(0);
  Tensor y3 = ad.forward({x}, true, 6).at(0);
  EXPECT_TRUE(y1.equals(y2));
  EXPECT_FALSE(y1.equals(y3));
  int64_t dropped = 0;
  for (int64_t i = 0; i < x.numel(); ++i) {
    const float v = y1.data<float>()[i];
    if (v == 0.0f)
      ++dropped;
    else
      EXPECT_NEAR(v, x.data<float>()[i] / 0.7f, 1e-6);
  }
  EXPECT_GT(dropped, 30);  // ~60 of 200 expected
  EXPECT_LT(dropped, 90);
  // Inference: identity.
  EXPECT_TRUE(ad.forward({x}, false).at(0).equals(x));
}

}  // namespace
}  // namespace etch::gradtest
