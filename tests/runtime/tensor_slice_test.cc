#include <limits>

#include "elementwise_test_util.h"

namespace etch::testing {
namespace {

TEST(TensorSlice, ConcatAlongEachAxis) {
  Tensor a = f32({2, 2}, {1, 2, 3, 4}), b = f32({2, 1}, {5, 6});
  Tensor out = run1("Concat", {a, b}, {{"axis", int64_t{1}}});
  ASSERT_EQ(out.shape(), (Shape{2, 3}));
  EXPECT_EQ(values<float>(out), (std::vector<float>{1, 2, 5, 3, 4, 6}));
  Tensor rows = run1("Concat", {a, f32({1, 2}, {7, 8})}, {{"axis", int64_t{-2}}});
  EXPECT_EQ(values<float>(rows), (std::vector<float>{1, 2, 3, 4, 7, 8}));
  expect_error([&] { run1("Concat", {a, b}, {{"axis", int64_t{0}}}); }, "differs from [2,2] outside axis 0");
}

TEST(TensorSlice, ConcatOfLongContiguousInputs) {
  // Batch-1 channel concat: each input is one contiguous run of more than
  // one copy piece (16,384 elements).
  Tensor a = f32({1, 3, 10000}, iota(30000)), b = f32({1, 2, 10000}, iota(20000));
  Tensor out = run1("Concat", {a, b}, {{"axis", int64_t{1}}});
  ASSERT_EQ(out.shape(), (Shape{1, 5, 10000}));
  const std::vector<float> v = values<float>(out);
  for (int64_t i = 0; i < 50000; ++i) ASSERT_EQ(v[i], static_cast<float>(i < 30000 ? i : i - 30000));
}

TEST(TensorSlice, SplitUnevenWithSizesInputAndAttr) {
  Tensor x = f32({5}, iota(5));
  auto outs = run_op("Split", {x, i64({2}, {2, 3})}, {}, 2);
  EXPECT_EQ(values<float>(outs[0]), (std::vector<float>{0, 1}));
  EXPECT_EQ(values<float>(outs[1]), (std::vector<float>{2, 3, 4}));
  auto old = run_op("Split", {x}, {{"split", std::vector<int64_t>{4, 1}}}, 2);
  EXPECT_EQ(values<float>(old[1]), (std::vector<float>{4}));
  expect_error([&] { run_op("Split", {x}, {}, 2); }, "cannot be split evenly");
}

TEST(TensorSlice, SplitEqualAlongAxis1) {
  Tensor x = f32({2, 4}, iota(8));
  auto outs = run_op("Split", {x}, {{"axis", int64_t{1}}}, 2);
  EXPECT_EQ(outs[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(values<float>(outs[0]), (std::vector<float>{0, 1, 4, 5}));
  EXPECT_EQ(values<float>(outs[1]), (std::vector<float>{2, 3, 6, 7}));
}

TEST(TensorSlice, SliceWithStepsAndAxes) {
  Tensor x = f32({3, 4}, iota(12));
  Tensor out = run1("Slice", {x, i64({2}, {0, 1}), i64({2}, {3, 4}), i64({2}, {0, 1}), i64({2}, {2, 2})});
  ASSERT_EQ(out.shape(), (Shape{2, 2}));
  EXPECT_EQ(values<float>(out), (std::vector<float>{1, 3, 9, 11}));
}

TEST(TensorSlice, SliceNegativeStepReverses) {
  Tensor x = f32({5}, iota(5));
  const int64_t lo = std::numeric_limits<int64_t>::min();
  Tensor all = run1("Slice", {x, i64({1}, {-1}), i64({1}, {lo}), std::nullopt, i64({1}, {-1})});
  EXPECT_EQ(values<float>(all), (std::vector<float>{4, 3, 2, 1, 0}));
  Tensor part = run1("Slice", {x, i64({1}, {3}), i64({1}, {0}), i64({1}, {0}), i64({1}, {-2})});
  EXPECT_EQ(values<float>(part), (std::vector<float>{3, 1}));
}

TEST(TensorSlice, SliceClampsOutOfRangeStartsAndEnds) {
  Tensor x = f32({2, 5}, iota(10));
  Tensor out = run1("Slice", {x, i64({1}, {1}), i64({1}, {1000}), i64({1}, {1})});
  EXPECT_EQ(out.shape(), (Shape{2, 4}));
  Tensor empty = run1("Slice", {x, i64({1}, {1000}), i64({1}, {1001}), i64({1}, {1})});
  EXPECT_EQ(empty.shape(), (Shape{2, 0}));
}

TEST(TensorSlice, SliceOpset1Attributes) {
  Tensor x = f32({3, 4}, iota(12));
  Tensor out = run1(
      "Slice", {x},
      {{"starts", std::vector<int64_t>{1}}, {"ends", std::vector<int64_t>{-1}}, {"axes", std::vector<int64_t>{0}}});
  ASSERT_EQ(out.shape(), (Shape{1, 4}));
  EXPECT_EQ(values<float>(out), (std::vector<float>{4, 5, 6, 7}));
}

TEST(TensorSlice, GatherNegativeIndicesAndAxis) {
  Tensor x = f32({3, 2}, iota(6));
  Tensor rows = run1("Gather", {x, i64({2}, {-1, 0})});
  EXPECT_EQ(rows.shape(), (Shape{2, 2}));
  EXPECT_EQ(values<float>(rows), (std::vector<float>{4, 5, 0, 1}));
  Tensor cols = run1("Gather", {x, i32({2, 2}, {1, 0, 1, 1})}, {{"axis", int64_t{1}}});
  ASSERT_EQ(cols.shape(), (Shape{3, 2, 2}));
  EXPECT_EQ(values<float>(cols), (std::vector<float>{1, 0, 1, 1, 3, 2, 3, 3, 5, 4, 5, 5}));
  Tensor scalar_idx = run1("Gather", {x, i64({}, {1})});
  EXPECT_EQ(scalar_idx.shape(), (Shape{2}));
  expect_error([&] { run1("Gather", {x, i64({1}, {3})}); }, "index 3 is out of range for axis 0 of size 3");
}

}  // namespace
}  // namespace etch::testing
