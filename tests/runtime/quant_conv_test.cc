// ConvInteger and QLinearConv on hand-computed cases.
#include "runtime/quant_test_util.h"

namespace etch::runtime {
namespace {
using namespace quant_test;
using ir::Attribute;
using Ints = std::vector<int64_t>;

TEST(ConvInteger, Basic2DWithInputZeroPoint) {
  // x − 1 = [[1,2,3],[4,5,6],[7,8,9]]; 2×2 window sums: 12, 16, 24, 28.
  const Tensor x = Tensor::from_vector<uint8_t>({1, 1, 3, 3}, {2, 3, 4, 5, 6, 7, 8, 9, 10});
  const Tensor w = Tensor::from_vector<uint8_t>({1, 1, 2, 2}, {1, 1, 1, 1});
  const Tensor xz = Tensor::scalar<uint8_t>(1);
  const Tensor y = run1(make_quant_node("ConvInteger", 3), {&x, &w, &xz});
  ASSERT_EQ(y.dtype(), DType::I32);
  EXPECT_EQ(y.shape(), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(values<int32_t>(y), (std::vector<int32_t>{12, 16, 24, 28}));
  // With pads 1 the padding holds the zero point (contributes 0): corner = x[0][0] − 1 = 1.
  const Tensor yp = run1(make_quant_node("ConvInteger", 3, {{"pads", Attribute{Ints{1, 1, 1, 1}}}}), {&x, &w, &xz});
  EXPECT_EQ(values<int32_t>(yp), (std::vector<int32_t>{1, 3, 5, 3, 5, 12, 16, 9, 11, 24, 28, 15, 7, 15, 17, 9}));
}

TEST(ConvInteger, GroupsAndPerChannelWeightZeroPoints) {
  // x − 1: ch0 [[0,1,2],[3,4,5],[6,7,8]], ch1 [[−2,−3,−4],[−5,−6,−7],[−8,−9,−10]].
  const Tensor x = Tensor::from_vector<int8_t>({1, 2, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9,  //
                                                              -1, -2, -3, -4, -5, -6, -7, -8, -9});
  // w0 = diag(1, 1) (zp 0); w1 = [[3,2],[2,2]] − 2 = [[1,0],[0,0]].
  const Tensor w = Tensor::from_vector<int8_t>({2, 1, 2, 2}, {1, 0, 0, 1, 3, 2, 2, 2});
  const Tensor xz = Tensor::scalar<int8_t>(1);
  const Tensor wz = Tensor::from_vector<int8_t>({2}, {0, 2});
  const Tensor y = run1(make_quant_node("ConvInteger", 4, {{"group", Attribute{int64_t{2}}}}), {&x, &w, &xz, &wz});
  // ch0: x[i][j] + x[i+1][j+1] = 0+4, 1+5, 3+7, 4+8; ch1: top-left of each window.
  EXPECT_EQ(values<int32_t>(y), (std::vector<int32_t>{4, 6, 10, 12, -2, -3, -5, -6}));
}

TEST(ConvInteger, OneDimensionalAutoPadAndDilation) {
  const Tensor x5 = Tensor::from_vector<uint8_t>({1, 1, 5}, {1, 2, 3, 4, 5});
  const Tensor w3 = Tensor::from_vector<uint8_t>({1, 1, 3}, {1, 1, 1});
  // SAME_UPPER, stride 2: out = ceil(5/2) = 3, total pad (3−1)·2 + 3 − 5 = 2 → 1 each side.
  // Windows start at −1, 1, 3: 0+1+2, 2+3+4, 4+5+0.
  EXPECT_EQ(values<int32_t>(run1(
                make_quant_node("ConvInteger", 2,
                                {{"auto_pad", Attribute{std::string("SAME_UPPER")}}, {"strides", Attribute{Ints{2}}}}),
                {&x5, &w3})),
            (std::vector<int32_t>{3, 9, 9}));
  // Odd total pad: len 4, kernel 2, stride 1 → total 1; UPPER pads the end, LOWER the start.
  const Tensor x4 = Tensor::from_vector<uint8_t>({1, 1, 4}, {1, 2, 3, 4});
  const Tensor w2 = Tensor::from_vector<uint8_t>({1, 1, 2}, {1, 1});
  EXPECT_EQ(values<int32_t>(run1(
                make_quant_node("ConvInteger", 2, {{"auto_pad", Attribute{std::string("SAME_UPPER")}}}), {&x4, &w2})),
            (std::vector<int32_t>{3, 5, 7, 4}));
  EXPECT_EQ(values<int32_t>(run1(
                make_quant_node("ConvInteger", 2, {{"auto_pad", Attribute{std::string("SAME_LOWER")}}}), {&x4, &w2})),
            (std::vector<int32_t>{1, 3, 5, 7}));
  // Dilation 2, w = [2, 0] − 1 = [1, −1]: x[i] − x[i+2] = −2 three times. VALID ignores pads.
  const Tensor wd = Tensor::from_vector<uint8_t>({1, 1, 2}, {2, 0});
  const Tensor wz = Tensor::scalar<uint8_t>(1);
  const Tensor y = run1(make_quant_node("ConvInteger", 4,
                                        {{"dilations", Attribute{Ints{2}}},
                                         {"auto_pad", Attribute{std::string("VALID")}},
                                         {"pads", Attribute{Ints{3, 3}}}}),
                        {&x5, &wd, nullptr, &wz});
  EXPECT_EQ(y.shape(), (Shape{1, 1, 3}));
  EXPECT_EQ(values<int32_t>(y), (std::vector<int32_t>{-2, -2, -2}));
}

TEST(ConvInteger, ThreeDimensional) {
  // A 2×2×2 kernel of ones over 1..8 sums to 36.
  const Tensor x = Tensor::from_vector<uint8_t>({1, 1, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  const Tensor w = Tensor::from_vector<uint8_t>({1, 1, 2, 2, 2}, {1, 1, 1, 1, 1, 1, 1, 1});
  const Tensor y = run1(make_quant_node("ConvInteger", 2), {&x, &w});
  EXPECT_EQ(y.shape(), (Shape{1, 1, 1, 1, 1}));
  EXPECT_EQ(values<int32_t>(y), (std::vector<int32_t>{36}));
}

TEST(ConvInteger, BadShapesNameTheNode) {
  const Tensor x = Tensor::from_vector<uint8_t>({1, 2, 2, 2}, std::vector<uint8_t>(8, 1));
  const Tensor w = Tensor::from_vector<uint8_t>({1, 3, 1, 1}, {1, 1, 1});
  expect_error(make_quant_node("ConvInteger", 2), {&x, &w}, {"q_ConvInteger", "2 channels"});
  const Tensor w1 = Tensor::from_vector<uint8_t>({2, 2, 1, 1}, {1, 1, 1, 1});
  const Tensor wz = Tensor::from_vector<uint8_t>({3}, {0, 0, 0});
  expect_error(make_quant_node("ConvInteger", 4), {&x, &w1, nullptr, &wz}, {"q_ConvInteger", "w_zero_point"});
}

TEST(QLinearConv, PerChannelScalesBiasTiesAndSaturation) {
  // x real = (x − 10)·0.5 = 0, 5, 10, 15. Weights 1×1: centered [3−1, 1−0] = [2, 1].
  const Tensor x = Tensor::from_vector<uint8_t>({1, 1, 2, 2}, {10, 20, 30, 40});
  const Tensor xs = Tensor::scalar<float>(0.5f), xz = Tensor::scalar<uint8_t>(10);
  const Tensor w = Tensor::from_vector<uint8_t>({2, 1, 1, 1}, {3, 1});
  const Tensor ws = Tensor::from_vector<float>({2}, {0.25f, 1.f});
  const Tensor wz = Tensor::from_vector<uint8_t>({2}, {1, 0});
  const Tensor ys = Tensor::scalar<float>(0.5f), yz = Tensor::scalar<uint8_t>(100);
  const Tensor b = Tensor::from_vector<int32_t>({2}, {2, 150});
  // ch0: acc = 2·(x − 10) + 2 = 2, 22, 42, 62; · (0.5·0.25/0.5 = 0.25) = 0.5, 5.5, 10.5, 15.5
  //      → half to even 0, 6, 10, 16 → + 100.
  // ch1: acc = (x − 10) + 150 = 150, 160, 170, 180; · 1.0 + 100 = 250, 260→255, …
  const Tensor y = run1(make_quant_node("QLinearConv", 9), {&x, &xs, &xz, &w, &ws, &wz, &ys, &yz, &b});
  ASSERT_EQ(y.dtype(), DType::U8);
  EXPECT_EQ(values<uint8_t>(y), (std::vector<uint8_t>{100, 106, 110, 116, 250, 255, 255, 255}));
}

TEST(QLinearConv, Int8StridedPadded) {
  // x − (−1) = [[−2,−1,0],[1,2,3],[4,5,6]]; 2×2 ones, pads 1, strides 2 → windows
  // at (−1,−1): −2; (−1,1): −1+0; (1,−1): 1+4; (1,1): 2+3+5+6 = 16.
  // · (1·1/2) = −1, −0.5, 2.5, 8 → half to even −1, 0, 2, 8 → − 5.
  const Tensor x = Tensor::from_vector<int8_t>({1, 1, 3, 3}, {-3, -2, -1, 0, 1, 2, 3, 4, 5});
  const Tensor one = Tensor::scalar<float>(1.f), xz = Tensor::scalar<int8_t>(-1);
  const Tensor w = Tensor::from_vector<int8_t>({1, 1, 2, 2}, {1, 1, 1, 1});
  const Tensor wz = Tensor::scalar<int8_t>(0);
  const Tensor ys = Tensor::scalar<float>(2.f), yz = Tensor::scalar<int8_t>(-5);
  const Tensor y = run1(
      make_quant_node("QLinearConv", 8, {{"pads", Attribute{Ints{1, 1, 1, 1}}}, {"strides", Attribute{Ints{2, 2}}}}),
      {&x, &one, &xz, &w, &one, &wz, &ys, &yz});
  ASSERT_EQ(y.dtype(), DType::I8);
  EXPECT_EQ(y.shape(), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(values<int8_t>(y), (std::vector<int8_t>{-6, -5, -3, 3}));
}

TEST(QLinearConv, ScaleCountMismatchNamesNode) {
  const Tensor x = Tensor::from_vector<uint8_t>({1, 1, 2, 2}, {10, 20, 30, 40});
  const Tensor s = Tensor::scalar<float>(0.5f), z = Tensor::scalar<uint8_t>(0);
  const Tensor w = Tensor::from_vector<uint8_t>({2, 1, 1, 1}, {3, 1});
  const Tensor ws3 = Tensor::from_vector<float>({3}, {1.f, 1.f, 1.f});
  expect_error(make_quant_node("QLinearConv", 8), {&x, &s, &z, &w, &ws3, &z, &s, &z},
               {"q_QLinearConv", "w_scale", "3"});
  const Tensor b3 = Tensor::from_vector<int32_t>({3}, {1, 2, 3});
  const Tensor ws = Tensor::scalar<float>(1.f);
  expect_error(make_quant_node("QLinearConv", 9), {&x, &s, &z, &w, &ws, &z, &s, &z, &b3}, {"q_QLinearConv", "bias"});
}

}  // namespace
}  // namespace etch::runtime
