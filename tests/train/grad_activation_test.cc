// Finite-difference checks of the activation / unary gradient rules
// (criterion: see grad_check.h).
#include <limits>

#include "grad_check.h"

namespace etch::gradtest {
namespace {

GradCase unary(const std::string& op, Tensor x, std::map<std::string, ir::Attribute> attrs = {}) {
  GradCase c;
  c.op = op;
  c.operands = {input(std::move(x))};
  c.attrs = std::move(attrs);
  return c;
}

const Shape kShape{2, 3, 4};

TEST(GradActivation, Relu) { check_gradients(unary("Relu", away_from(random_tensor(kShape, 1), {0.0f}))); }

TEST(GradActivation, LeakyRelu) {
  check_gradients(unary("LeakyRelu", away_from(random_tensor(kShape, 2), {0.0f}), {{"alpha", 0.3f}}));
}

TEST(GradActivation, ClipAsInputsRelu6) {
  GradCase c;
  c.op = "Clip";
  c.operands = {input(away_from(random_tensor(kShape, 3, -3.0f, 9.0f), {0.0f, 6.0f})),
                constant(Tensor::scalar<float>(0.0f)), constant(Tensor::scalar<float>(6.0f))};
  auto g = check_gradients(c);
  // Values outside [0, 6] get no gradient.
  const float* x = c.operands[0].value.data<float>();
  const float* d = g[0].data<float>();
  for (int64_t i = 0; i < g[0].numel(); ++i)
    if (x[i] < 0.0f || x[i] > 6.0f) {
      EXPECT_EQ(d[i], 0.0f);
    }
}

TEST(GradActivation, ClipOnlyMaxInput) {
  GradCase c;
  c.op = "Clip";
  c.operands = {input(away_from(random_tensor(kShape, 4), {0.25f})), absent(), constant(Tensor::scalar<float>(0.25f))};
  check_gradients(c);
}

TEST(GradActivation, ClipAttributesOpset6) {
  GradCase c = unary("Clip", away_from(random_tensor(kShape, 5), {-0.5f, 0.5f}), {{"min", -0.5f}, {"max", 0.5f}});
  c.opset = 6;
  check_gradients(c);
}

TEST(GradActivation, Sigmoid) { check_gradients(unary("Sigmoid", random_tensor(kShape, 6, -3.0f, 3.0f))); }

TEST(GradActivation, HardSigmoid) {
  // Kinks at alpha x + beta = 0 and 1: x = -1.5 and 1 for alpha 0.4, beta 0.6.
  check_gradients(unary("HardSigmoid", away_from(random_tensor(kShape, 7, -3.0f, 3.0f), {-1.5f, 1.0f}),
                        {{"alpha", 0.4f}, {"beta", 0.6f}}));
}

TEST(GradActivation, HardSwish) {
  check_gradients(unary("HardSwish", away_from(random_tensor(kShape, 8, -5.0f, 5.0f), {-3.0f, 3.0f})));
}

TEST(GradActivation, Tanh) { check_gradients(unary("Tanh", random_tensor(kShape, 9, -2.0f, 2.0f))); }

TEST(GradActivation, Elu) {
  check_gradients(unary("Elu", away_from(random_tensor(kShape, 10, -2.0f, 2.0f), {0.0f}), {{"alpha", 0.7f}}));
}

TEST(GradActivation, Softplus) { check_gradients(unary("Softplus", random_tensor(kShape, 11, -3.0f, 3.0f))); }

TEST(GradActivation, Exp) { check_gradients(unary("Exp", random_tensor(kShape, 12, -1.0f, 1.0f))); }

TEST(GradActivation, Log) { check_gradients(unary("Log", random_tensor(kShape, 13, 0.5f, 3.0f))); }

TEST(GradActivation, Sqrt) { check_gradients(unary("Sqrt", random_tensor(kShape, 14, 0.5f, 3.0f))); }

TEST(GradActivation, Neg) { check_gradients(unary("Neg", random_tensor(kShape, 15))); }

TEST(GradActivation, Abs) { check_gradients(unary("Abs", away_from(random_tensor(kShape, 16), {0.0f}))); }

TEST(GradActivation, Reciprocal) { check_gradients(unary("Reciprocal", random_tensor(kShape, 17, 0.5f, 2.0f))); }

TEST(GradActivation, Erf) { check_gradients(unary("Erf", random_tensor(kShape, 18, -2.0f, 2.0f))); }

TEST(GradActivation, Identity) { check_gradients(unary("Identity", random_tensor(kShape, 19))); }

}  // namespace
}  // namespace etch::gradtest
