#include <cmath>

#include "elementwise_test_util.h"

namespace etch::testing {
namespace {

TEST(ElementwiseBinary, AddBroadcastsRowVector) {
  Tensor out = run1("Add", {f32({2, 3}, {1, 2, 3, 4, 5, 6}), f32({3}, {10, 20, 30})});
  EXPECT_EQ(out.shape(), (Shape{2, 3}));
  EXPECT_EQ(values<float>(out), (std::vector<float>{11, 22, 33, 14, 25, 36}));
}

TEST(ElementwiseBinary, MulBroadcastsColumnTimesRow) {
  Tensor out = run1("Mul", {f32({2, 1}, {2, 3}), f32({1, 3}, {1, 10, 100})});
  EXPECT_EQ(out.shape(), (Shape{2, 3}));
  EXPECT_EQ(values<float>(out), (std::vector<float>{2, 20, 200, 3, 30, 300}));
}

TEST(ElementwiseBinary, SubScalarOnEitherSide) {
  EXPECT_EQ(values<float>(run1("Sub", {f32({3}, {5, 6, 7}), f32({}, {1})})), (std::vector<float>{4, 5, 6}));
  EXPECT_EQ(values<float>(run1("Sub", {f32({}, {1}), f32({3}, {5, 6, 7})})), (std::vector<float>{-4, -5, -6}));
}

TEST(ElementwiseBinary, MiddleAxisBroadcastMatchesNaiveLoop) {
  // [2,3,4] + [3,1]: the inner dim is broadcast for b, so no fast path applies.
  std::vector<float> a(24), b = {100, 200, 300};
  for (int i = 0; i < 24; ++i) a[i] = static_cast<float>(i);
  Tensor out = run1("Add", {f32({2, 3, 4}, a), f32({3, 1}, b)});
  ASSERT_EQ(out.shape(), (Shape{2, 3, 4}));
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) EXPECT_EQ(out.data<float>()[i * 12 + j * 4 + k], a[i * 12 + j * 4 + k] + b[j]);
}

TEST(ElementwiseBinary, LargeBroadcastIsParallelAndCorrect) {
  const int rows = 300, cols = 257;
  std::vector<float> a(rows * cols), b(cols);
  for (int i = 0; i < rows * cols; ++i) a[i] = static_cast<float>(i % 97);
  for (int j = 0; j < cols; ++j) b[j] = static_cast<float>(j);
  Tensor out = run1("Max", {f32({rows, cols}, a), f32({1, cols}, b)});
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) ASSERT_EQ(out.data<float>()[i * cols + j], std::max(a[i * cols + j], b[j]));
}

TEST(ElementwiseBinary, IntegerDivisionTruncatesTowardZero) {
  Tensor out = run1("Div", {i32({4}, {7, -7, 7, -7}), i32({4}, {2, 2, -2, -2})});
  EXPECT_EQ(values<int32_t>(out), (std::vector<int32_t>{3, -3, -3, 3}));
}

TEST(ElementwiseBinary, IntegerDivisionByZeroIsAnError) {
  expect_error([] { run1("Div", {i32({2}, {1, 2}), i32({2}, {1, 0})}); }, "division by zero");
}

TEST(ElementwiseBinary, Uint8AddWraps) {
  Tensor a = Tensor::from_vector<uint8_t>({2}, {250, 3});
  Tensor b = Tensor::from_vector<uint8_t>({2}, {10, 4});
  EXPECT_EQ(values<uint8_t>(run1("Add", {a, b})), (std::vector<uint8_t>{4, 7}));
}

TEST(ElementwiseBinary, Int64Mul) {
  EXPECT_EQ(values<int64_t>(run1("Mul", {i64({2}, {3, -4}), i64({1}, {5})})), (std::vector<int64_t>{15, -20}));
}

TEST(ElementwiseBinary, PowWithIntegerExponent) {
  Tensor out = run1("Pow", {f32({3}, {2, 3, 4}), i64({3}, {3, 2, -1})});
  EXPECT_EQ(out.dtype(), DType::F32);
  expect_floats_near(out, {8, 9, 0.25f});
  Tensor ints = run1("Pow", {i32({3}, {1, 2, 3}), i32({3}, {4, 5, 6})});
  EXPECT_EQ(values<int32_t>(ints), (std::vector<int32_t>{1, 32, 729}));
}

TEST(ElementwiseBinary, ModFollowsDivisorSignUnlessFmod) {
  Tensor a = i32({4}, {-4, 7, 5, -3}), b = i32({4}, {3, -3, 3, -2});
  EXPECT_EQ(values<int32_t>(run1("Mod", {a, b})), (std::vector<int32_t>{2, -2, 2, -1}));
  EXPECT_EQ(values<int32_t>(run1("Mod", {a, b}, {{"fmod", int64_t{1}}})), (std::vector<int32_t>{-1, 1, 2, -1}));
}

TEST(ElementwiseBinary, VariadicSumMeanMinMax) {
  Tensor a = f32({3}, {3, 0, 2}), b = f32({3}, {1, 3, 4}), c = f32({3}, {2, 6, 0});
  EXPECT_EQ(values<float>(run1("Sum", {a, b, c})), (std::vector<float>{6, 9, 6}));
  EXPECT_EQ(values<float>(run1("Mean", {a, b, c})), (std::vector<float>{2, 3, 2}));
  EXPECT_EQ(values<float>(run1("Min", {a, b, c})), (std::vector<float>{1, 0, 0}));
  EXPECT_EQ(values<float>(run1("Max", {a, b, c})), (std::vector<float>{3, 6, 4}));
  EXPECT_EQ(values<float>(run1("Max", {a})), (std::vector<float>{3, 0, 2}));
}

TEST(ElementwiseBinary, VariadicBroadcastsEveryInput) {
  // [2,1] , [3] , [] -> [2,3]
  Tensor out = run1("Sum", {f32({2, 1}, {1, 2}), f32({3}, {10, 20, 30}), f32({}, {100})});
  EXPECT_EQ(out.shape(), (Shape{2, 3}));
  EXPECT_EQ(values<float>(out), (std::vector<float>{111, 121, 131, 112, 122, 132}));
}

TEST(ElementwiseBinary, ComparisonsGiveBool) {
  Tensor a = f32({3}, {1, 2, 3}), b = f32({3}, {2, 2, 2});
  EXPECT_EQ(values<bool>(run1("Less", {a, b})), (std::vector<bool>{true, false, false}));
  EXPECT_EQ(values<bool>(run1("LessOrEqual", {a, b})), (std::vector<bool>{true, true, false}));
  EXPECT_EQ(values<bool>(run1("Greater", {a, b})), (std::vector<bool>{false, false, true}));
  EXPECT_EQ(values<bool>(run1("GreaterOrEqual", {a, b})), (std::vector<bool>{false, true, true}));
  Tensor eq = run1("Equal", {i64({2, 2}, {1, 2, 3, 4}), i64({2}, {1, 4})});
  EXPECT_EQ(eq.dtype(), DType::Bool);
  EXPECT_EQ(values<bool>(eq), (std::vector<bool>{true, false, false, true}));
}

TEST(ElementwiseBinary, LogicOps) {
  Tensor a = b8({4}, {false, false, true, true}), b = b8({4}, {false, true, false, true});
  EXPECT_EQ(values<bool>(run1("And", {a, b})), (std::vector<bool>{false, false, false, true}));
  EXPECT_EQ(values<bool>(run1("Or", {a, b})), (std::vector<bool>{false, true, true, true}));
  EXPECT_EQ(values<bool>(run1("Xor", {a, b})), (std::vector<bool>{false, true, true, false}));
  EXPECT_EQ(values<bool>(run1("Not", {a})), (std::vector<bool>{true, true, false, false}));
}

TEST(ElementwiseBinary, WhereBroadcastsAllThree) {
  Tensor out = run1("Where", {b8({2, 1}, {true, false}), f32({3}, {1, 2, 3}), f32({}, {-1})});
  EXPECT_EQ(out.shape(), (Shape{2, 3}));
  EXPECT_EQ(values<float>(out), (std::vector<float>{1, 2, 3, -1, -1, -1}));
}

TEST(ElementwiseBinary, PReluBroadcastsSlopePerChannel) {
  Tensor out = run1("PRelu", {f32({2, 2}, {-1, 2, -3, -4}), f32({2}, {0.5f, 0.25f})});
  EXPECT_EQ(values<float>(out), (std::vector<float>{-0.5f, 2, -1.5f, -1}));
}

TEST(ElementwiseBinary, ErrorsNameTheNode) {
  expect_error(
      [] {
        run_op("Add", {f32({2, 3}, std::vector<float>(6)), f32({4}, std::vector<float>(4))}, {}, 1, "a1");
      },
      "node 'a1' (Add): input shapes [2,3] and [4] cannot be broadcast");
  expect_error([] { run1("Add", {f32({1}, {1}), i64({1}, {1})}); }, "different dtypes");
  expect_error([] { run1("And", {f32({1}, {1}), f32({1}, {1})}); }, "must be bool");
  expect_error([] { run1("PRelu", {f32({2}, {1, 2}), f32({2, 2}, {1, 2, 3, 4})}); }, "does not broadcast to X");
}

}  // namespace
}  // namespace etch::testing
