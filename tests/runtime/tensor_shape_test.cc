#include "elementwise_test_util.h"

namespace etch::testing {
namespace {

TEST(TensorShape, ReshapeCopiesZeroAndInfersMinusOne) {
  Tensor x = f32({2, 3, 4}, iota(24));
  Tensor out = run1("Reshape", {x, i64({3}, {0, -1, 2})});
  EXPECT_EQ(out.shape(), (Shape{2, 6, 2}));
  EXPECT_EQ(values<float>(out), iota(24));
}

TEST(TensorShape, ReshapeAllowZeroKeepsZeroDim) {
  Tensor x = f32({0, 3}, {});
  Tensor out = run1("Reshape", {x, i64({2}, {3, 0})}, {{"allowzero", int64_t{1}}});
  EXPECT_EQ(out.shape(), (Shape{3, 0}));
}

TEST(TensorShape, ReshapeErrorNamesNodeAndShapes) {
  expect_error(
      [] {
        run_op("Reshape", {f32({2, 3}, iota(6)), i64({2}, {4, -1})}, {}, 1, "r1");
      },
      "node 'r1' (Reshape): cannot reshape [2,3] into [4,-1]");
  expect_error([] { run1("Reshape", {f32({2, 3}, iota(6)), i64({2}, {-1, -1})}); }, "more than one -1");
}

TEST(TensorShape, Flatten) {
  Tensor x = f32({2, 3, 4}, iota(24));
  EXPECT_EQ(run1("Flatten", {x}).shape(), (Shape{2, 12}));
  EXPECT_EQ(run1("Flatten", {x}, {{"axis", int64_t{0}}}).shape(), (Shape{1, 24}));
  EXPECT_EQ(run1("Flatten", {x}, {{"axis", int64_t{-1}}}).shape(), (Shape{6, 4}));
  EXPECT_EQ(run1("Flatten", {x}, {{"axis", int64_t{3}}}).shape(), (Shape{24, 1}));
}

TEST(TensorShape, SqueezeAndUnsqueezeWithAttrOrInput) {
  Tensor x = f32({1, 3, 1}, {1, 2, 3});
  EXPECT_EQ(run1("Squeeze", {x}).shape(), (Shape{3}));
  EXPECT_EQ(run1("Squeeze", {x}, {{"axes", std::vector<int64_t>{-1}}}).shape(), (Shape{1, 3}));
  EXPECT_EQ(run1("Squeeze", {x, i64({1}, {0})}).shape(), (Shape{3, 1}));
  expect_error([&] { run1("Squeeze", {x, i64({1}, {1})}); }, "cannot squeeze axis 1");
  Tensor y = f32({3}, {1, 2, 3});
  EXPECT_EQ(run1("Unsqueeze", {y, i64({2}, {0, -1})}).shape(), (Shape{1, 3, 1}));
  EXPECT_EQ(run1("Unsqueeze", {y}, {{"axes", std::vector<int64_t>{2, 0}}}).shape(), (Shape{1, 3, 1}));
}

TEST(TensorShape, TransposeDefaultReversesDims) {
  Tensor x = f32({2, 3}, iota(6));
  Tensor out = run1("Transpose", {x});
  EXPECT_EQ(out.shape(), (Shape{3, 2}));
  EXPECT_EQ(values<float>(out), (std::vector<float>{0, 3, 1, 4, 2, 5}));
}

TEST(TensorShape, TransposeWithPermMatchesIndexFormula) {
  Tensor x = f32({2, 3, 4}, iota(24));
  Tensor out = run1("Transpose", {x}, {{"perm", std::vector<int64_t>{1, 2, 0}}});
  ASSERT_EQ(out.shape(), (Shape{3, 4, 2}));
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 4; ++b)
      for (int c = 0; c < 2; ++c) EXPECT_EQ(out.data<float>()[a * 8 + b * 2 + c], c * 12 + a * 4 + b);
  expect_error([&] { run1("Transpose", {x}, {{"perm", std::vector<int64_t>{0, 0, 1}}}); }, "not a permutation");
}

TEST(TensorShape, TransposeOfAnImageWithFewChannelsInPieces) {
  // NHWC -> NCHW of 3 channels: three rows of 20,000 strided elements, each
  // copied in pieces (the last one partial) shared by the threads.
  const int64_t hw = 20000;
  Tensor x = f32({1, hw, 3}, iota(3 * hw));
  Tensor out = run1("Transpose", {x}, {{"perm", std::vector<int64_t>{0, 2, 1}}});
  ASSERT_EQ(out.shape(), (Shape{1, 3, hw}));
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t p = 0; p < hw; ++p) ASSERT_EQ(out.data<float>()[c * hw + p], static_cast<float>(p * 3 + c));
}

TEST(TensorShape, ExpandBroadcastsBothWays) {
  Tensor x = f32({3, 1}, {1, 2, 3});
  Tensor out = run1("Expand", {x, i64({3}, {2, 1, 2})});
  ASSERT_EQ(out.shape(), (Shape{2, 3, 2}));
  EXPECT_EQ(values<float>(out), (std::vector<float>{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}));
  // a 1 in the target keeps the input's dim
  EXPECT_EQ(run1("Expand", {x, i64({1}, {1})}).shape(), (Shape{3, 1}));
}

TEST(TensorShape, TileRepeatsEachDim) {
  Tensor x = i32({2, 2}, {1, 2, 3, 4});
  Tensor out = run1("Tile", {x, i64({2}, {2, 3})});
  ASSERT_EQ(out.shape(), (Shape{4, 6}));
  EXPECT_EQ(values<int32_t>(out),
            (std::vector<int32_t>{1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4, 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4}));
}

TEST(TensorShape, ShapeWithStartEndAndSize) {
  Tensor x = f32({2, 3, 4, 5}, std::vector<float>(120));
  EXPECT_EQ(values<int64_t>(run1("Shape", {x})), (std::vector<int64_t>{2, 3, 4, 5}));
  EXPECT_EQ(values<int64_t>(run1("Shape", {x}, {{"start", int64_t{1}}, {"end", int64_t{-1}}})),
            (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(values<int64_t>(run1("Shape", {x}, {{"start", int64_t{-10}}, {"end", int64_t{10}}})),
            (std::vector<int64_t>{2, 3, 4, 5}));
  Tensor n = run1("Size", {x});
  EXPECT_EQ(n.shape(), Shape{});
  EXPECT_EQ(n.data<int64_t>()[0], 120);
}

TEST(TensorShape, BoolAndInt8DataMoveUnchanged) {
  Tensor b = b8({2, 2}, {true, false, false, true});
  EXPECT_EQ(values<bool>(run1("Transpose", {b})), (std::vector<bool>{true, false, false, true}));
  Tensor q = Tensor::from_vector<int8_t>({2, 2}, {1, -2, 3, -4});
  q.set_quant(QuantParams{{0.5f}, {3}, -1});
  Tensor t = run1("Transpose", {q});
  EXPECT_EQ(values<int8_t>(t), (std::vector<int8_t>{1, 3, -2, -4}));
  ASSERT_TRUE(t.quant().has_value());
  EXPECT_EQ(t.quant()->scales[0], 0.5f);
}

}  // namespace
}  // namespace etch::testing
