#include "etch/quant/qparams.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "etch/core/error.h"

namespace etch::quant {
namespace {

TEST(ActivationParams, RangeMinusOneToThree) {
  // scale = 4/255; zero_point = round(−128 − (−1)/(4/255)) = round(−64.25) = −64.
  QuantParams q = activation_params({-1.0f, 3.0f}, "x");
  ASSERT_EQ(q.scales.size(), 1u);
  EXPECT_FLOAT_EQ(q.scales[0], 4.0f / 255.0f);
  EXPECT_EQ(q.zero_points, (std::vector<int32_t>{-64}));
  EXPECT_EQ(q.axis, -1);
}

TEST(ActivationParams, RangeWidenedToIncludeZero) {
  QuantParams pos = activation_params({0.5f, 2.0f}, "x");  // → [0, 2]
  EXPECT_FLOAT_EQ(pos.scales[0], 2.0f / 255.0f);
  EXPECT_EQ(pos.zero_points[0], -128);
  QuantParams neg = activation_params({-3.0f, -1.0f}, "x");  // → [−3, 0]
  EXPECT_FLOAT_EQ(neg.scales[0], 3.0f / 255.0f);
  EXPECT_EQ(neg.zero_points[0], 127);
}

TEST(ActivationParams, ZeroRangeGetsSafeScale) {
  EXPECT_EQ(activation_params({0.0f, 0.0f}, "x"), (QuantParams{{1.0f}, {0}, -1}));
  EXPECT_EQ(activation_params({0.0f, 1e-42f}, "x"), (QuantParams{{1.0f}, {0}, -1}));
  QuantParams c = activation_params({2.0f, 2.0f}, "x");  // constant → [0, 2]
  EXPECT_FLOAT_EQ(c.scales[0], 2.0f / 255.0f);
  EXPECT_EQ(c.zero_points[0], -128);
}

TEST(ActivationParams, RejectsBadRanges) {
  EXPECT_THROW(activation_params({1.0f, -1.0f}, "x"), Error);
  try {
    activation_params({0.0f, std::numeric_limits<float>::infinity()}, "relu_out");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("relu_out"), std::string::npos) << e.what();
  }
}

TEST(WeightParams, PerChannelScalesAreMaxAbsOver127) {
  Tensor w = Tensor::from_vector<float>({2, 3}, {0.5f, -1.27f, 0.1f, 2.54f, 0.0f, -1.0f});
  QuantParams q = weight_params(w, "fc.weight");
  EXPECT_EQ(q.axis, 0);
  EXPECT_EQ(q.scales, (std::vector<float>{1.27f / 127.0f, 2.54f / 127.0f}));
  EXPECT_EQ(q.zero_points, (std::vector<int32_t>{0, 0}));
  QuantParams t = weight_params(w, "fc.weight", 8, /*per_channel=*/false);
  EXPECT_EQ(t, (QuantParams{{2.54f / 127.0f}, {0}, -1}));
  QuantParams i4 = weight_params(w, "fc.weight", 4);
  EXPECT_EQ(i4.scales, (std::vector<float>{1.27f / 7.0f, 2.54f / 7.0f}));
}

TEST(WeightParams, ZeroChannelGetsScaleOne) {
  Tensor w = Tensor::from_vector<float>({2, 2, 1}, {0.0f, 0.0f, -0.254f, 0.1f});
  QuantParams q = weight_params(w, "conv.weight");
  EXPECT_EQ(q.scales, (std::vector<float>{1.0f, 0.254f / 127.0f}));
}

TEST(WeightParams, NaNNamesTheTensor) {
  Tensor w = Tensor::from_vector<float>({2, 2}, {1.0f, 2.0f, std::numeric_limits<float>::quiet_NaN(), 0.0f});
  try {
    weight_params(w, "conv1.weight");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    std::string msg = e.what();
    EXPECT_NE(msg.find("conv1.weight"), std::string::npos) << msg;
    EXPECT_NE(msg.find("element 2"), std::string::npos) << msg;
  }
}

TEST(WeightParams, RejectsUnsupportedRequests) {
  Tensor w = Tensor::from_vector<float>({1}, {1.0f});
  EXPECT_THROW(weight_params(w, "w", 3), Error);
  EXPECT_THROW(weight_params(Tensor::scalar<float>(1.0f), "w", 8, true), Error);
  EXPECT_THROW(weight_params(Tensor::from_vector<int32_t>({1}, {1}), "w"), Error);
  EXPECT_EQ(weight_params(Tensor::scalar<float>(-2.54f), "w", 8, false).scales, (std::vector<float>{2.54f / 127.0f}));
}

}  // namespace
}  // namespace etch::quant
