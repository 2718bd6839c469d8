// QuantizeLinear / DequantizeLinear on hand-computed cases.
#include <cmath>

#include "runtime/quant_test_util.h"

namespace etch::runtime {
namespace {
using namespace quant_test;
using ir::Attribute;

TEST(QuantizeLinear, PerTensorUint8RoundsHalfToEven) {
  // x / 0.5 = 0, 0.5, 1.5, −0.5, 600, −600 → rint 0, 0, 2, 0 → + 128, saturated.
  const Tensor x = Tensor::from_vector<float>({6}, {0.f, 0.25f, 0.75f, -0.25f, 300.f, -300.f});
  const Tensor s = Tensor::scalar<float>(0.5f);
  const Tensor zp = Tensor::scalar<uint8_t>(128);
  const Tensor y = run1(make_quant_node("QuantizeLinear", 3), {&x, &s, &zp});
  ASSERT_EQ(y.dtype(), DType::U8);
  EXPECT_EQ(values<uint8_t>(y), (std::vector<uint8_t>{128, 128, 130, 128, 255, 0}));
}

TEST(QuantizeLinear, OmittedZeroPointGivesUint8) {
  // −1/0.5 = −2 → 0 (saturated), 0.25/0.5 = 0.5 → 0, 1/0.5 = 2.
  const Tensor x = Tensor::from_vector<float>({3}, {-1.f, 0.25f, 1.f});
  const Tensor s = Tensor::scalar<float>(0.5f);
  const Tensor y = run1(make_quant_node("QuantizeLinear", 2), {&x, &s});
  ASSERT_EQ(y.dtype(), DType::U8);
  EXPECT_EQ(values<uint8_t>(y), (std::vector<uint8_t>{0, 0, 2}));
}

TEST(QuantizeLinear, Int8ZeroPoint) {
  // ±1/0.5 = ±2, + (−1) → −3, 1.
  const Tensor x = Tensor::from_vector<float>({2}, {-1.f, 1.f});
  const Tensor s = Tensor::scalar<float>(0.5f);
  const Tensor zp = Tensor::scalar<int8_t>(-1);
  const Tensor y = run1(make_quant_node("QuantizeLinear", 3), {&x, &s, &zp});
  ASSERT_EQ(y.dtype(), DType::I8);
  EXPECT_EQ(values<int8_t>(y), (std::vector<int8_t>{-3, 1}));
}

TEST(QuantizeLinear, PerAxis) {
  const Tensor x = Tensor::from_vector<float>({2, 3}, {1.f, 2.f, 4.f, -3.f, -6.f, 10.f});
  {
    // axis 1 (default), scales [1, 2, 4], zp [0, 1, −1]:
    // row 0: 1, 1, 1 → 1, 2, 0; row 1: −3, −3, 2.5→2 → −3, −2, 1.
    const Tensor s = Tensor::from_vector<float>({3}, {1.f, 2.f, 4.f});
    const Tensor zp = Tensor::from_vector<int8_t>({3}, {0, 1, -1});
    EXPECT_EQ(values<int8_t>(run1(make_quant_node("QuantizeLinear", 3), {&x, &s, &zp})),
              (std::vector<int8_t>{1, 2, 0, -3, -2, 1}));
    EXPECT_EQ(
        values<int8_t>(run1(make_quant_node("QuantizeLinear", 3, {{"axis", Attribute{int64_t{-1}}}}), {&x, &s, &zp})),
        (std::vector<int8_t>{1, 2, 0, -3, -2, 1}));
  }
  {
    // axis 0, scales [1, 0.5], zp [10, 20]: row 0 → 11, 12, 14; row 1: −6, −12, 20 → 14, 8, 40.
    const Tensor s = Tensor::from_vector<float>({2}, {1.f, 0.5f});
    const Tensor zp = Tensor::from_vector<uint8_t>({2}, {10, 20});
    EXPECT_EQ(
        values<uint8_t>(run1(make_quant_node("QuantizeLinear", 3, {{"axis", Attribute{int64_t{0}}}}), {&x, &s, &zp})),
        (std::vector<uint8_t>{11, 12, 14, 14, 8, 40}));
  }
}

TEST(QuantizeLinear, ScaleCountMismatchNamesNode) {
  const Tensor x = Tensor::from_vector<float>({2, 3}, {1.f, 2.f, 4.f, -3.f, -6.f, 10.f});
  const Tensor s = Tensor::from_vector<float>({2}, {1.f, 2.f});
  const Tensor zp = Tensor::from_vector<uint8_t>({2}, {0, 0});
  expect_error(make_quant_node("QuantizeLinear", 3), {&x, &s, &zp},
               {"q_QuantizeLinear", "scale has 2 values", "axis 1"});
  const Tensor s3 = Tensor::from_vector<float>({3}, {1.f, 2.f, 3.f});
  const Tensor zp2 = Tensor::from_vector<uint8_t>({2}, {0, 0});
  expect_error(make_quant_node("QuantizeLinear", 3), {&x, &s3, &zp2}, {"q_QuantizeLinear", "zero point shape"});
  const Tensor bad = Tensor::scalar<float>(0.f);
  expect_error(make_quant_node("QuantizeLinear", 2), {&x, &bad}, {"q_QuantizeLinear", "y_scale must be positive"});
}

TEST(DequantizeLinear, PerTensor) {
  // (x − 128) · 2 for 0, 3, 128, 255.
  const Tensor x = Tensor::from_vector<uint8_t>({4}, {0, 3, 128, 255});
  const Tensor s = Tensor::scalar<float>(2.f);
  const Tensor zp = Tensor::scalar<uint8_t>(128);
  const Tensor y = run1(make_quant_node("DequantizeLinear", 3), {&x, &s, &zp});
  ASSERT_EQ(y.dtype(), DType::F32);
  EXPECT_EQ(values<float>(y), (std::vector<float>{-256.f, -250.f, 0.f, 254.f}));
  // int8, zp −1: (−127, 1, 128) · 0.5.
  const Tensor xi = Tensor::from_vector<int8_t>({3}, {-128, 0, 127});
  const Tensor si = Tensor::scalar<float>(0.5f);
  const Tensor zi = Tensor::scalar<int8_t>(-1);
  EXPECT_EQ(values<float>(run1(make_quant_node("DequantizeLinear", 3), {&xi, &si, &zi})),
            (std::vector<float>{-63.5f, 0.5f, 64.f}));
}

TEST(DequantizeLinear, Int32AndPerAxis) {
  const Tensor x = Tensor::from_vector<int32_t>({2}, {-1000, 7});
  const Tensor s = Tensor::scalar<float>(0.25f);
  EXPECT_EQ(values<float>(run1(make_quant_node("DequantizeLinear", 2), {&x, &s})), (std::vector<float>{-250.f, 1.75f}));
  const Tensor zp = Tensor::scalar<int32_t>(3);
  expect_error(make_quant_node("DequantizeLinear", 3), {&x, &s, &zp}, {"q_DequantizeLinear", "must be 0 for int32"});
  // axis 0, scales [1, 10], zp [1, 2]: [[5, 6], [3, 4]] → [[4, 5], [10, 20]].
  const Tensor xa = Tensor::from_vector<uint8_t>({2, 2}, {5, 6, 3, 4});
  const Tensor sa = Tensor::from_vector<float>({2}, {1.f, 10.f});
  const Tensor za = Tensor::from_vector<uint8_t>({2}, {1, 2});
  EXPECT_EQ(
      values<float>(run1(make_quant_node("DequantizeLinear", 3, {{"axis", Attribute{int64_t{0}}}}), {&xa, &sa, &za})),
      (std::vector<float>{4.f, 5.f, 10.f, 20.f}));
  const Tensor s3 = Tensor::from_vector<float>({3}, {1.f, 2.f, 3.f});
  expect_error(make_quant_node("DequantizeLinear", 2, {{"axis", Attribute{int64_t{0}}}}), {&xa, &s3},
               {"q_DequantizeLinear", "scale has 3 values", "axis 0"});
}

TEST(QuantizeLinear, RoundTripThroughDequantize) {
  // Values already on the grid survive quantize → dequantize exactly.
  const Tensor x = Tensor::from_vector<float>({5}, {-1.f, -0.5f, 0.f, 0.75f, 1.25f});
  const Tensor s = Tensor::scalar<float>(0.25f);
  const Tensor zp = Tensor::scalar<int8_t>(3);
  const Tensor q = run1(make_quant_node("QuantizeLinear", 3), {&x, &s, &zp});
  EXPECT_EQ(values<int8_t>(q), (std::vector<int8_t>{-1, 1, 3, 6, 8}));
  EXPECT_EQ(values<float>(run1(make_quant_node("DequantizeLinear", 3), {&q, &s, &zp})), values<float>(x));
}

TEST(DynamicQuantizeLinear, RangeIncludesZero) {
  // Range [min(0, −51), max(0, 204)] = 255 wide → scale 255/255 = 1, zero
  // point rint(51 / 1) = 51; y = x + 51.
  const Tensor x = Tensor::from_vector<float>({4}, {-51.f, 0.f, 204.f, 102.5f});
  const std::vector<Tensor> out = run_node(make_quant_node("DynamicQuantizeLinear", 1), {&x});
  ASSERT_EQ(out.size(), 3u);
  // 102.5 + 51: rint(102.5) = 102 (half to even) → 153.
  EXPECT_EQ(values<uint8_t>(out[0]), (std::vector<uint8_t>{0, 51, 255, 153}));
  EXPECT_EQ(values<float>(out[1]), std::vector<float>{1.f});
  EXPECT_EQ(values<uint8_t>(out[2]), std::vector<uint8_t>{51});
  // All positive: min is clamped to 0, so zp = 0; range [0, 510] → scale 2.
  const Tensor xp = Tensor::from_vector<float>({2}, {255.f, 510.f});
  const std::vector<Tensor> outp = run_node(make_quant_node("DynamicQuantizeLinear", 1), {&xp});
  EXPECT_EQ(values<uint8_t>(outp[0]), (std::vector<uint8_t>{128, 255}));  // 127.5 → 128 (even)
  EXPECT_EQ(values<float>(outp[1]), std::vector<float>{2.f});
  EXPECT_EQ(values<uint8_t>(outp[2]), std::vector<uint8_t>{0});
}

TEST(DynamicQuantizeLinear, AllZeroAndNonFinite) {
  const Tensor z = Tensor::from_vector<float>({3}, {0.f, 0.f, 0.f});
  const std::vector<Tensor> out = run_node(make_quant_node("DynamicQuantizeLinear", 1), {&z});
  EXPECT_EQ(values<uint8_t>(out[0]), (std::vector<uint8_t>{0, 0, 0}));
  EXPECT_EQ(values<float>(out[1]), std::vector<float>{0.f});
  const Tensor bad = Tensor::from_vector<float>({2}, {1.f, INFINITY});
  expect_error(make_quant_node("DynamicQuantizeLinear", 1), {&bad},
               {"q_DynamicQuantizeLinear", "non-finite", "element 1"});
}

}  // namespace
}  // namespace etch::runtime
