// The finite-difference checker itself must reject a wrong gradient: a rule
// for Sin that returns cos(x) + 0.1 is registered in this test binary only.
#include "grad_check.h"

#include <gtest/gtest-spi.h>

#include <cmath>

#include "etch/train/gradient.h"

namespace etch::gradtest {
namespace {

void wrong_sin_grad(train::GradContext& c) {
  Tensor dx(DType::F32, c.in(0).shape());
  for (int64_t i = 0; i < dx.numel(); ++i)
    dx.data<float>()[i] = c.gout().data<float>()[i] * (std::cos(c.in(0).data<float>()[i]) + 0.1f);
  c.input_grads[0] = std::move(dx);
}
ETCH_REGISTER_GRAD("Sin", {wrong_sin_grad, nullptr, {0}});

TEST(GradCheck, RejectsWrongGradient) {
  GradCase c;
  c.op = "Sin";
  c.operands = {input(random_tensor({3, 4}, 1))};
  EXPECT_NONFATAL_FAILURE(check_gradients(c), "analytic");
}

}  // namespace
}  // namespace etch::gradtest
