#include "elementwise_test_util.h"

namespace etch::testing {
namespace {

TEST(TensorCreate, ConstantFromEachAttributeKind) {
  Tensor t = f32({2}, {1.5f, 2.5f});
  EXPECT_TRUE(run1("Constant", {}, {{"value", t}}).equals(t));
  EXPECT_EQ(values<float>(run1("Constant", {}, {{"value_float", 3.0f}})), (std::vector<float>{3}));
  EXPECT_EQ(values<float>(run1("Constant", {}, {{"value_floats", std::vector<float>{1, 2}}})),
            (std::vector<float>{1, 2}));
  Tensor vi = run1("Constant", {}, {{"value_int", int64_t{7}}});
  EXPECT_EQ(vi.shape(), Shape{});
  EXPECT_EQ(values<int64_t>(vi), (std::vector<int64_t>{7}));
  EXPECT_EQ(values<int64_t>(run1("Constant", {}, {{"value_ints", std::vector<int64_t>{4, 5}}})),
            (std::vector<int64_t>{4, 5}));
  expect_error([] { run1("Constant", {}); }, "needs one of the attributes");
}

TEST(TensorCreate, ConstantOfShapeDefaultsToFloatZero) {
  Tensor z = run1("ConstantOfShape", {i64({2}, {2, 3})});
  EXPECT_EQ(z.dtype(), DType::F32);
  EXPECT_EQ(values<float>(z), std::vector<float>(6, 0.0f));
  Tensor ones = run1("ConstantOfShape", {i64({1}, {3})}, {{"value", i32({1}, {5})}});
  EXPECT_EQ(values<int32_t>(ones), (std::vector<int32_t>{5, 5, 5}));
  EXPECT_EQ(run1("ConstantOfShape", {i64({1}, {0})}).numel(), 0);
}

TEST(TensorCreate, RangeCountsLikeOnnx) {
  Tensor f = run1("Range", {f32({}, {1}), f32({}, {5}), f32({}, {1.5f})});
  EXPECT_EQ(values<float>(f), (std::vector<float>{1, 2.5f, 4}));
  Tensor i = run1("Range", {i32({}, {10}), i32({}, {6}), i32({}, {-3})});
  EXPECT_EQ(values<int32_t>(i), (std::vector<int32_t>{10, 7}));
  EXPECT_EQ(run1("Range", {i64({}, {5}), i64({}, {1}), i64({}, {2})}).numel(), 0);
  expect_error([] { run1("Range", {i64({}, {0}), i64({}, {1}), i64({}, {0})}); }, "delta is 0");
}

}  // namespace
}  // namespace etch::testing
