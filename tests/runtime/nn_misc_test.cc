#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "etch/core/thread_pool.h"
#include "etch/ir/op_registry.h"
#include "nn_test_util.h"

namespace etch::runtime {
namespace {
using namespace testing;

TEST(NnPool, MaxPoolWithIndicesAndCeil) {
  std::vector<float> xs(16);
  for (int i = 0; i < 16; ++i) xs[i] = static_cast<float>((i * 7) % 16);
  Tensor x = Tensor::from_vector<float>({1, 1, 4, 4}, xs);
  ir::Node n = make_node("MaxPool", 1,
                         {{"kernel_shape", std::vector<int64_t>{3, 3}},
                          {"strides", std::vector<int64_t>{2, 2}},
                          {"ceil_mode", int64_t{1}}},
                         2);
  auto out = run(n, {&x});
  ASSERT_EQ(out[0].shape(), (Shape{1, 1, 2, 2}));
  // windows rows/cols {0..2},{2..3}
  auto ref = [&](int r0, int r1, int c0, int c1) {
    float best = -1;
    int64_t arg = 0;
    for (int r = r0; r <= r1; ++r)
      for (int c = c0; c <= c1; ++c)
        if (xs[r * 4 + c] > best) best = xs[r * 4 + c], arg = r * 4 + c;
    return std::make_pair(best, arg);
  };
  auto a = ref(0, 2, 0, 2), b = ref(0, 2, 2, 3), c = ref(2, 3, 0, 2), d = ref(2, 3, 2, 3);
  EXPECT_EQ(float_values(out[0]), (std::vector<float>{a.first, b.first, c.first, d.first}));
  EXPECT_EQ(out[1].to_int64_vector(), (std::vector<int64_t>{a.second, b.second, c.second, d.second}));
}

TEST(NnPool, AveragePoolCountIncludePad) {
  Tensor x = Tensor::from_vector<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  std::map<std::string, ir::Attribute> attrs{{"kernel_shape", std::vector<int64_t>{2, 2}},
                                             {"pads", std::vector<int64_t>{1, 1, 0, 0}}};
  Tensor excl = run(make_node("AveragePool", 1, attrs), {&x})[0];
  attrs["count_include_pad"] = int64_t{1};
  Tensor incl = run(make_node("AveragePool", 1, attrs), {&x})[0];
  EXPECT_EQ(float_values(excl), (std::vector<float>{1, 1.5f, 2, 2.5f}));
  EXPECT_EQ(float_values(incl), (std::vector<float>{0.25f, 0.75f, 1, 2.5f}));
}

TEST(NnPool, GlobalPools) {
  Tensor x = Tensor::from_vector<float>({1, 2, 2, 1}, {1, 5, -2, 4});
  EXPECT_EQ(float_values(run(make_node("GlobalAveragePool", 1), {&x})[0]), (std::vector<float>{3, 1}));
  EXPECT_EQ(float_values(run(make_node("GlobalMaxPool", 1), {&x})[0]), (std::vector<float>{5, 4}));
}

TEST(NnGemm, AttributesAndBroadcastBias) {
  Tensor a = Tensor::from_vector<float>({2, 3}, {1, 2, 3, 4, 5, 6});  // used transposed: 3x2
  Tensor b = Tensor::from_vector<float>({2, 2}, {1, 0, 0, 1});
  Tensor c = Tensor::from_vector<float>({2}, {10, 20});
  ir::Node n = make_node("Gemm", 3, {{"transA", int64_t{1}}, {"alpha", 2.0f}, {"beta", 0.5f}});
  Tensor y = run(n, {&a, &b, &c})[0];
  ASSERT_EQ(y.shape(), (Shape{3, 2}));
  // Aᵀ = [[1,4],[2,5],[3,6]]; 2*Aᵀ + [5,10]
  EXPECT_EQ(float_values(y), (std::vector<float>{7, 18, 9, 20, 11, 22}));
}

TEST(NnMatMul, BatchedBroadcastAndVectors) {
  Tensor a = random_tensor({2, 1, 3, 4}, 1), b = random_tensor({3, 4, 5}, 2);
  Tensor y = run(make_node("MatMul", 2), {&a, &b})[0];
  ASSERT_EQ(y.shape(), (Shape{2, 3, 3, 5}));
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 5; ++c) {
          double s = 0;
          for (int k = 0; k < 4; ++k) s += a.data<float>()[(i * 3 + r) * 4 + k] * b.data<float>()[(j * 4 + k) * 5 + c];
          ASSERT_NEAR(y.data<float>()[((i * 3 + j) * 3 + r) * 5 + c], s, 1e-5);
        }
  Tensor v = Tensor::from_vector<float>({3}, {1, 2, 3});
  Tensor m = Tensor::from_vector<float>({3, 2}, {1, 2, 3, 4, 5, 6});
  Tensor vm = run(make_node("MatMul", 2), {&v, &m})[0];
  EXPECT_EQ(vm.shape(), (Shape{2}));
  EXPECT_EQ(float_values(vm), (std::vector<float>{22, 28}));
  Tensor bad = random_tensor({4, 2}, 3);
  EXPECT_THROW(run(make_node("MatMul", 2), {&m, &bad}), Error);
}

TEST(NnGemm, ThreadCountDoesNotChangeBytes) {
  Tensor a = random_tensor({64, 1568}, 4), b = random_tensor({10, 1568}, 5), c = random_tensor({10}, 6);
  ir::Node n = make_node("Gemm", 3, {{"transB", int64_t{1}}});
  set_num_threads(1);
  Tensor one = run(n, {&a, &b, &c})[0];
  set_num_threads(2);
  Tensor two = run(n, {&a, &b, &c})[0];
  set_num_threads(0);
  EXPECT_TRUE(one.equals(two));
}

TEST(NnSoftmax, OpsetChangesSemantics) {
  Tensor x = Tensor::from_vector<float>({2, 2}, {0, 0, 0, std::log(3.0f)});
  ir::Node n = make_node("Softmax", 1, {{"axis", int64_t{0}}});
  ir::set_current_opset(13);  // per-axis: columns
  std::vector<float> per_axis = float_values(run(n, {&x})[0]);
  ir::set_current_opset(11);  // coerced to 1 x 4: all four together
  std::vector<float> coerced = float_values(run(n, {&x})[0]);
  ir::set_current_opset(17);
  EXPECT_NEAR(per_axis[1], 0.25f, 1e-6);
  EXPECT_NEAR(per_axis[3], 0.75f, 1e-6);
  EXPECT_NEAR(coerced[0], 1.0f / 6.0f, 1e-6);
  EXPECT_NEAR(coerced[3], 0.5f, 1e-6);
}

TEST(NnBatchNorm, InferenceAndTrainingRejected) {
  Tensor x = Tensor::from_vector<float>({1, 2, 1, 2}, {1, 2, 3, 4});
  Tensor s = Tensor::from_vector<float>({2}, {1, 2}), b = Tensor::from_vector<float>({2}, {0, 1});
  Tensor m = Tensor::from_vector<float>({2}, {1, 3}), v = Tensor::from_vector<float>({2}, {4, 1});
  Tensor y = run(make_node("BatchNormalization", 5, {{"epsilon", 0.0f}}), {&x, &s, &b, &m, &v})[0];
  EXPECT_EQ(float_values(y), (std::vector<float>{0, 0.5f, 1, 3}));
  try {
    run(make_node("BatchNormalization", 5, {{"training_mode", int64_t{1}}}), {&x, &s, &b, &m, &v});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
  }
}

TEST(NnReduce, AxesKeepdimsAndInts) {
  Tensor x = Tensor::from_vector<int32_t>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor axes = Tensor::from_vector<int64_t>({1}, {1});
  Tensor s = run(make_node("ReduceSum", 2, {{"keepdims", int64_t{0}}}), {&x, &axes})[0];
  EXPECT_EQ(s.shape(), (Shape{2}));
  EXPECT_EQ(s.to_int64_vector(), (std::vector<int64_t>{6, 15}));
  Tensor f = Tensor::from_vector<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor mean = run(make_node("ReduceMean", 1, {{"axes", std::vector<int64_t>{0}}}), {&f})[0];
  EXPECT_EQ(mean.shape(), (Shape{1, 3}));
  EXPECT_EQ(float_values(mean), (std::vector<float>{2.5f, 3.5f, 4.5f}));
  EXPECT_EQ(float_values(run(make_node("ReduceMax", 1), {&f})[0]), (std::vector<float>{6}));
  Tensor empty = Tensor::from_vector<int64_t>({0}, {});
  Tensor noop = run(make_node("ReduceSum", 2, {{"noop_with_empty_axes", int64_t{1}}}), {&f, &empty})[0];
  EXPECT_EQ(float_values(noop), float_values(f));
}

TEST(NnArgMax, SelectLastIndex) {
  Tensor x = Tensor::from_vector<float>({2, 3}, {1, 5, 5, 7, 7, 2});
  EXPECT_EQ(run(make_node("ArgMax", 1, {{"axis", int64_t{1}}}), {&x})[0].to_int64_vector(),
            (std::vector<int64_t>{1, 0}));
  Tensor last =
      run(make_node("ArgMax", 1, {{"axis", int64_t{1}}, {"select_last_index", int64_t{1}}, {"keepdims", int64_t{0}}}),
          {&x})[0];
  EXPECT_EQ(last.shape(), (Shape{2}));
  EXPECT_EQ(last.to_int64_vector(), (std::vector<int64_t>{2, 1}));
}

TEST(NnPad, Modes) {
  Tensor x = Tensor::from_vector<float>({1, 3}, {1, 2, 3});
  Tensor pads = Tensor::from_vector<int64_t>({4}, {0, 2, 0, 1});
  Tensor cv = Tensor::scalar<float>(9.0f);
  EXPECT_EQ(float_values(run(make_node("Pad", 3), {&x, &pads, &cv})[0]), (std::vector<float>{9, 9, 1, 2, 3, 9}));
  EXPECT_EQ(float_values(run(make_node("Pad", 2, {{"mode", std::string("reflect")}}), {&x, &pads})[0]),
            (std::vector<float>{3, 2, 1, 2, 3, 2}));
  EXPECT_EQ(float_values(run(make_node("Pad", 2, {{"mode", std::string("edge")}}), {&x, &pads})[0]),
            (std::vector<float>{1, 1, 1, 2, 3, 3}));
  // Opset < 11: pads and value as attributes; negative pads crop.
  Tensor old = run(make_node("Pad", 1, {{"pads", std::vector<int64_t>{0, -1, 0, 1}}, {"value", 5.0f}}), {&x})[0];
  EXPECT_EQ(float_values(old), (std::vector<float>{2, 3, 5}));
}

TEST(NnResize, NearestAndLinear) {
  Tensor x = Tensor::from_vector<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor roi = Tensor::from_vector<float>({0}, {});
  Tensor scales = Tensor::from_vector<float>({4}, {1, 1, 1, 2});
  Tensor near = run(make_node("Resize", 3), {&x, &roi, &scales})[0];
  EXPECT_EQ(float_values(near), (std::vector<float>{1, 1, 2, 2, 3, 3, 4, 4}));
  Tensor lin = run(make_node("Resize", 3, {{"mode", std::string("linear")}}), {&x, &roi, &scales})[0];
  // half_pixel: x_orig = (x+0.5)/2-0.5 = -0.25, 0.25, 0.75, 1.25 -> 1, 1.25, 1.75, 2
  EXPECT_EQ(float_values(lin), (std::vector<float>{1, 1.25f, 1.75f, 2, 3, 3.25f, 3.75f, 4}));
  Tensor ac = run(
      make_node("Resize", 3,
                {{"mode", std::string("linear")}, {"coordinate_transformation_mode", std::string("align_corners")}}),
      {&x, &roi, &scales})[0];
  std::vector<float> acv = float_values(ac);
  EXPECT_NEAR(acv[1], 1 + 1.0f / 3, 1e-6);
  EXPECT_NEAR(acv[2], 1 + 2.0f / 3, 1e-6);
}

// A row long enough for blocks of eight outputs (the AVX2 gather path where
// the CPU has it) beside the edges' single taps: integer inputs and weights
// 0.25/0.75 make every output exact, so the expected values are too.
TEST(NnResize, LinearAlongALongLastAxisIsExactInEveryBlock) {
  const int64_t w = 20;
  std::vector<float> v(2 * w);
  for (int64_t i = 0; i < 2 * w; ++i) v[i] = static_cast<float>((i * 37) % 23 - 11);
  Tensor x = Tensor::from_vector<float>({1, 1, 2, w}, v);
  Tensor roi = Tensor::from_vector<float>({0}, {});
  Tensor scales = Tensor::from_vector<float>({4}, {1, 1, 1, 2});
  const std::vector<float> y =
      float_values(run(make_node("Resize", 3, {{"mode", std::string("linear")}}), {&x, &roi, &scales})[0]);
  ASSERT_EQ(y.size(), static_cast<size_t>(4 * w));
  for (int64_t r = 0; r < 2; ++r) {
    const float* s = v.data() + r * w;
    for (int64_t o = 0; o < 2 * w; ++o) {
      // half_pixel: o / 2 - 0.25, clamped to the row at both ends.
      const int64_t k = o / 2;
      const float want = o == 0           ? s[0]
                         : o == 2 * w - 1 ? s[w - 1]
                         : o % 2 == 0     ? 0.25f * s[k - 1] + 0.75f * s[k]
                                          : 0.75f * s[k] + 0.25f * s[k + 1];
      EXPECT_EQ(y[r * 2 * w + o], want) << "row " << r << " output " << o;
    }
  }
}

// A tap of weight 0 is skipped, as in the ONNX reference's sum of the taps
// that contribute: an infinite neighbour does not turn outputs into NaN.
TEST(NnResize, LinearSkipsZeroWeightTaps) {
  std::vector<float> v(16, 1.0f);
  v[9] = std::numeric_limits<float>::infinity();
  Tensor x = Tensor::from_vector<float>({1, 1, 1, 16}, v);
  Tensor roi = Tensor::from_vector<float>({0}, {});
  Tensor scales = Tensor::from_vector<float>({4}, {1, 1, 1, 2});
  const std::vector<float> y = float_values(
      run(make_node("Resize", 3,
                    {{"mode", std::string("linear")}, {"coordinate_transformation_mode", std::string("asymmetric")}}),
          {&x, &roi, &scales})[0]);
  // asymmetric: output 2k reads input k alone (weight 1, then 0 for k + 1).
  EXPECT_EQ(y[16], 1.0f);
  EXPECT_EQ(y[18], std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isinf(y[17]));
  EXPECT_EQ(y[20], 1.0f);
}

}  // namespace
}  // namespace etch::runtime
