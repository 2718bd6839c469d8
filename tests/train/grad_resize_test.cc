// Finite-difference checks of the Resize / Upsample gradient (criterion: see
// grad_check.h). Every mode is linear in its input, so the differences are
// exact up to float rounding; the cases cover up- and downsampling, each
// coordinate transform family, both scales and sizes, and a resize of the
// last axis only.
#include "grad_check.h"

namespace etch::gradtest {
namespace {

Tensor floats(const std::vector<float>& v) { return Tensor::from_vector<float>({static_cast<int64_t>(v.size())}, v); }
Tensor sizes(const std::vector<int64_t>& v) {
  return Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v);
}

GradCase resize(Tensor x, Operand scales, Operand sz, std::map<std::string, ir::Attribute> attrs) {
  GradCase c;
  c.op = "Resize";
  c.operands = {input(std::move(x)), absent(), std::move(scales), std::move(sz)};
  c.attrs = std::move(attrs);
  return c;
}

TEST(GradResize, LinearHalfPixelUpsampleByScales) {
  check_gradients(resize(random_tensor({2, 3, 4, 5}, 1), constant(floats({1, 1, 2, 2})), absent(),
                         {{"mode", std::string("linear")}}));
}

TEST(GradResize, LinearAlignCornersDownsampleBySizes) {
  check_gradients(
      resize(random_tensor({1, 2, 9, 7}, 2), absent(), constant(sizes({1, 2, 4, 3})),
             {{"mode", std::string("linear")}, {"coordinate_transformation_mode", std::string("align_corners")}}));
}

TEST(GradResize, NearestAsymmetricUpsampleSendsEachGradientToItsSource) {
  check_gradients(resize(random_tensor({1, 2, 3, 3}, 3), constant(floats({1, 1, 3, 2})), absent(),
                         {{"mode", std::string("nearest")},
                          {"coordinate_transformation_mode", std::string("asymmetric")},
                          {"nearest_mode", std::string("floor")}}));
}

TEST(GradResize, CubicAlongTheLastAxisOnly) {
  check_gradients(resize(random_tensor({2, 3, 6}, 4), constant(floats({1, 1, 1.5f})), absent(),
                         {{"mode", std::string("cubic")}, {"exclude_outside", int64_t{1}}}));
}

// Upsampling by 2 (nearest, asymmetric): each input's gradient is the sum of
// the 2x2 output gradients it was copied to, exactly.
TEST(GradResize, NearestTwiceSumsEachBlockOfFour) {
  GradCase c = resize(random_tensor({1, 1, 2, 2}, 5), constant(floats({1, 1, 2, 2})), absent(),
                      {{"mode", std::string("nearest")},
                       {"coordinate_transformation_mode", std::string("asymmetric")},
                       {"nearest_mode", std::string("floor")}});
  ir::Graph g = one_node_graph(c);
  train::Autodiff ad(g, {}, /*input_grads=*/true);
  ad.forward({c.operands[0].value}, true);
  std::vector<float> dy(16);
  for (int i = 0; i < 16; ++i) dy[i] = static_cast<float>(i);
  ad.backward({Tensor::from_vector<float>({1, 1, 4, 4}, dy)});
  const Tensor dx = ad.input_grad(0);
  // Output rows 0-1 / columns 0-1 come from input (0, 0), and so on.
  const std::vector<float> want = {0 + 1 + 4 + 5, 2 + 3 + 6 + 7, 8 + 9 + 12 + 13, 10 + 11 + 14 + 15};
  ASSERT_EQ(dx.numel(), 4);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(dx.data<float>()[i], want[i]) << "input " << i;
}

}  // namespace
}  // namespace etch::gradtest
