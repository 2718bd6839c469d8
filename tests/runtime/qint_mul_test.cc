// ai.etch QMul (TFLite's int8 MUL): hand-computed products, rounding and
// clamping, with per-channel broadcasting and with same-shape inputs.
#include <gtest/gtest.h>

#include "etch/runtime/requantize.h"
#include "runtime/quant_test_util.h"

namespace etch::runtime {
namespace {
using namespace quant_test;
using ir::Attribute;

ir::Node qmul(double real, int64_t azp, int64_t bzp, int64_t yzp, int64_t act_max = 127) {
  const QuantizedMultiplier q = quantize_multiplier(real);
  ir::Node n = make_quant_node("QMul", 2,
                               {{"a_zero_point", Attribute{azp}},
                                {"b_zero_point", Attribute{bzp}},
                                {"y_zero_point", Attribute{yzp}},
                                {"multiplier", Attribute{int64_t{q.multiplier}}},
                                {"shift", Attribute{int64_t{q.shift}}},
                                {"act_max", Attribute{act_max}}});
  n.domain = "ai.etch";
  return n;
}

TEST(QMul, ScalesEachChannelByItsOwnBroadcastValue) {
  // a − 1 = [4, 8 | −4, 0] over 2 channels of 1x2; b − (−2) = [4 | −4] per channel.
  const Tensor a = Tensor::from_vector<int8_t>({1, 2, 1, 2}, {5, 9, -3, 1});
  const Tensor b = Tensor::from_vector<int8_t>({1, 2, 1, 1}, {2, -6});
  const Tensor y = run1(qmul(0.25, 1, -2, 3), {&a, &b});
  // products 16, 32 | 16, 0; times 0.25: 4, 8 | 4, 0; plus 3.
  EXPECT_EQ(y.shape(), (Shape{1, 2, 1, 2}));
  EXPECT_EQ(values<int8_t>(y), (std::vector<int8_t>{7, 11, 7, 3}));
}

TEST(QMul, RoundsHalvesAwayFromZeroAndClampsSameShapeInputs) {
  const Tensor a = Tensor::from_vector<int8_t>({4}, {3, -1, 127, -128});
  const Tensor b = Tensor::from_vector<int8_t>({4}, {2, 2, 127, 127});
  const Tensor y = run1(qmul(0.25, 0, 0, 0, 100), {&a, &b});
  // 6/4 = 1.5 → 2; −2/4 = −0.5 → −1; 16129/4 → clamped to act_max 100; −16256/4 → −128.
  EXPECT_EQ(values<int8_t>(y), (std::vector<int8_t>{2, -1, 100, -128}));
}

TEST(QMul, RejectsAnOutOfRangeZeroPointNamingTheAttribute) {
  const Tensor a = Tensor::from_vector<int8_t>({1}, {1});
  try {
    run1(qmul(0.25, 200, 0, 0), {&a, &a});
    FAIL() << "expected InvalidInput";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'a_zero_point' = 200"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace etch::runtime
