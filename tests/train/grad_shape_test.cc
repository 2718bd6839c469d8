// Finite-difference checks of data-movement gradients (criterion: see
// grad_check.h).
#include "grad_check.h"

namespace etch::gradtest {
namespace {

using Ints = std::vector<int64_t>;
Tensor i64(Ints v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return Tensor::from_vector<int64_t>({n}, v);
}

TEST(GradShape, Reshape) {
  GradCase c;
  c.op = "Reshape";
  c.operands = {input(random_tensor({2, 3, 4}, 1)), constant(i64({4, -1}))};
  check_gradients(c);
}

TEST(GradShape, FlattenAxis2) {
  GradCase c;
  c.op = "Flatten";
  c.operands = {input(random_tensor({2, 3, 2, 2}, 2))};
  c.attrs = {{"axis", int64_t{2}}};
  check_gradients(c);
}

TEST(GradShape, SqueezeUnsqueezeAxesInputs) {
  GradCase c;
  c.op = "Squeeze";
  c.operands = {input(random_tensor({2, 1, 3, 1}, 3)), constant(i64({1, -1}))};
  check_gradients(c);
  c.op = "Unsqueeze";
  c.operands = {input(random_tensor({2, 3}, 4)), constant(i64({0, 3}))};
  check_gradients(c);
}

TEST(GradShape, UnsqueezeAxesAttributeOpset11) {
  GradCase c;
  c.op = "Unsqueeze";
  c.opset = 11;
  c.operands = {input(random_tensor({2, 3}, 5))};
  c.attrs = {{"axes", Ints{1}}};
  check_gradients(c);
}

TEST(GradShape, TransposePerm) {
  GradCase c;
  c.op = "Transpose";
  c.operands = {input(random_tensor({2, 3, 4}, 6))};
  c.attrs = {{"perm", Ints{1, 2, 0}}};
  check_gradients(c);
  c.attrs.clear();  // default: reverse
  check_gradients(c);
}

TEST(GradShape, ConcatAxis1) {
  GradCase c;
  c.op = "Concat";
  c.operands = {input(random_tensor({2, 1, 3}, 7)), param(random_tensor({2, 2, 3}, 8)),
                input(random_tensor({2, 3, 3}, 9))};
  c.attrs = {{"axis", int64_t{-2}}};
  check_gradients(c);
}

TEST(GradShape, SplitGivesBackConcat) {
  GradCase c;
  c.op = "Split";
  c.num_outputs = 2;  // only output 0 in the loss: output 1's gradient is zero
  c.operands = {input(random_tensor({2, 5}, 10)), constant(i64({2, 3}))};
  c.attrs = {{"axis", int64_t{1}}};
  auto g = check_gradients(c);
  for (int r = 0; r < 2; ++r)
    for (int k = 2; k < 5; ++k) EXPECT_EQ(g[0].data<float>()[r * 5 + k], 0.0f);
}

TEST(GradShape, PadConstantReflectEdge) {
  for (const char* mode : {"constant", "reflect", "edge"}) {
    GradCase c;
    c.op = "Pad";
    c.operands = {input(random_tensor({2, 4, 5}, 11)), constant(i64({0, 2, 1, 0, 1, 2}))};
    c.attrs = {{"mode", std::string(mode)}};
    check_gradients(c);
  }
}

TEST(GradShape, PadNegativeCropsAndAxes) {
  GradCase c;
  c.op = "Pad";
  c.operands = {input(random_tensor({2, 4, 5}, 12)), constant(i64({-1, 1, 2, -2})), absent(), constant(i64({1, 2}))};
  check_gradients(c);
}

TEST(GradShape, SliceWithSteps) {
  GradCase c;
  c.op = "Slice";
  c.operands = {input(random_tensor({3, 8}, 13)), constant(i64({1, 7})), constant(i64({3, 0})), constant(i64({0, 1})),
                constant(i64({1, -2}))};
  check_gradients(c);
}

TEST(GradShape, GatherRepeatedAndNegativeIndices) {
  GradCase c;
  c.op = "Gather";
  c.operands = {param(random_tensor({5, 3}, 14)), constant(Tensor::from_vector<int64_t>({2, 2}, {0, 4, -1, 0}))};
  check_gradients(c);
  c.operands = {input(random_tensor({2, 4, 3}, 15)), constant(i64({3, 1, 3}))};
  c.attrs = {{"axis", int64_t{1}}};
  check_gradients(c);
}

TEST(GradShape, Expand) {
  GradCase c;
  c.op = "Expand";
  c.operands = {input(random_tensor({3, 1}, 16)), constant(i64({2, 3, 4}))};
  check_gradients(c);
}

}  // namespace
}  // namespace etch::gradtest
