// Finite-difference checks of broadcasting arithmetic gradients; every case
// broadcasts both operands (criterion: see grad_check.h).
#include "grad_check.h"

namespace etch::gradtest {
namespace {

GradCase binary(const std::string& op, Tensor a, Tensor b) {
  GradCase c;
  c.op = op;
  c.operands = {input(std::move(a)), input(std::move(b))};
  return c;
}

// [2,3,1] with [3,4] -> [2,3,4]; [4] parameter against a [2,1,4] input.
TEST(GradElementwise, AddBroadcast) {
  check_gradients(binary("Add", random_tensor({2, 3, 1}, 1), random_tensor({3, 4}, 2)));
  GradCase c;
  c.op = "Add";
  c.operands = {input(random_tensor({2, 1, 4}, 3)), param(random_tensor({4}, 4))};
  check_gradients(c);
}

TEST(GradElementwise, SubBroadcast) {
  check_gradients(binary("Sub", random_tensor({2, 1, 4}, 5), random_tensor({3, 1}, 6)));
}

TEST(GradElementwise, MulBroadcast) {
  check_gradients(binary("Mul", random_tensor({2, 3, 1}, 7), random_tensor({1, 4}, 8)));
  check_gradients(binary("Mul", random_tensor({3, 4}, 9), random_tensor({}, 10)));  // scalar operand
}

TEST(GradElementwise, DivBroadcast) {
  check_gradients(binary("Div", random_tensor({2, 3, 4}, 11), random_tensor({3, 1}, 12, 0.5f, 2.0f)));
}

TEST(GradElementwise, PowConstantExponent) {
  GradCase c;
  c.op = "Pow";
  c.operands = {input(random_tensor({2, 3}, 13, 0.5f, 2.0f)), constant(Tensor::scalar<float>(2.5f))};
  check_gradients(c);
  c.operands[1] = constant(Tensor::from_vector<float>({3}, {2.0f, 3.0f, -1.0f}));
  check_gradients(c);
}

TEST(GradElementwise, PRelu) {
  GradCase c;
  c.op = "PRelu";
  c.operands = {input(away_from(random_tensor({2, 3, 2, 2}, 14), {0.0f})), param(random_tensor({3, 1, 1}, 15))};
  check_gradients(c);
}

TEST(GradElementwise, SumAndMeanVariadic) {
  for (const char* op : {"Sum", "Mean"}) {
    GradCase c;
    c.op = op;
    c.operands = {input(random_tensor({2, 3}, 16)), input(random_tensor({3}, 17)), input(random_tensor({2, 1}, 18))};
    check_gradients(c);
  }
}

// Max/Min: a in [0, 1] (kept away from 0.5) against b per row -0.5 (a always
// wins), 0.5 (mixed) and 1.5 (b always wins), so both operands get gradient.
TEST(GradElementwise, MaxAndMinRouteTheGradientToTheOperandThatWins) {
  const Tensor b = Tensor::from_vector<float>({3, 1}, {-0.5f, 0.5f, 1.5f});
  for (const char* op : {"Max", "Min"})
    check_gradients(binary(op, away_from(random_tensor({2, 3, 4}, 21, 0.0f, 1.0f), {0.5f}), b));
  GradCase three;
  three.op = "Max";
  three.operands = {input(away_from(random_tensor({2, 3}, 22, 0.0f, 1.0f), {0.5f})),
                    input(Tensor::from_vector<float>({3}, {0.5f, 0.5f, 0.5f})),
                    input(random_tensor({2, 1}, 23, 2.0f, 3.0f))};
  three.operands[2].value.data<float>()[0] = -1.0f;  // row 0: the first two compete; row 1: the third wins
  check_gradients(three);
}

}  // namespace
}  // namespace etch::gradtest
