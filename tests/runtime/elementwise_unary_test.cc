#include <cmath>
#include <limits>

#include "elementwise_test_util.h"

namespace etch::testing {
namespace {

const std::vector<float> kX = {-2.0f, -0.5f, 0.0f, 0.5f, 2.0f};

// Each float op against an independent scalar formula.
TEST(ElementwiseUnary, FloatOpsMatchScalarFormulas) {
  struct Case {
    const char* op;
    Attrs attrs;
    float (*ref)(float);
  };
  const std::vector<Case> cases = {
      {"Relu", {}, [](float x) { return x > 0 ? x : 0.0f; }},
      {"LeakyRelu", {{"alpha", 0.1f}}, [](float x) { return x < 0 ? 0.1f * x : x; }},
      {"Sigmoid", {}, [](float x) { return 1.0f / (1.0f + std::exp(-x)); }},
      {"HardSigmoid", {}, [](float x) { return std::min(1.0f, std::max(0.0f, 0.2f * x + 0.5f)); }},
      {"HardSwish", {}, [](float x) { return x * std::min(1.0f, std::max(0.0f, x / 6 + 0.5f)); }},
      {"Tanh", {}, [](float x) { return std::tanh(x); }},
      {"Elu", {{"alpha", 2.0f}}, [](float x) { return x < 0 ? 2.0f * (std::exp(x) - 1) : x; }},
      {"Selu", {}, [](float x) { return 1.0507009873554805f * (x > 0 ? x : 1.6732632423543772f * (std::exp(x) - 1)); }},
      {"Softplus", {}, [](float x) { return std::log(std::exp(x) + 1); }},
      {"Softsign", {}, [](float x) { return x / (1 + std::fabs(x)); }},
      {"Exp", {}, [](float x) { return std::exp(x); }},
      {"Abs", {}, [](float x) { return std::fabs(x); }},
      {"Neg", {}, [](float x) { return -x; }},
      {"Erf", {}, [](float x) { return std::erf(x); }},
      {"Floor", {}, [](float x) { return std::floor(x); }},
      {"Ceil", {}, [](float x) { return std::ceil(x); }},
      {"Sign", {}, [](float x) { return x > 0 ? 1.0f : (x < 0 ? -1.0f : 0.0f); }},
      {"Sin", {}, [](float x) { return std::sin(x); }},
      {"Atan", {}, [](float x) { return std::atan(x); }},
      {"Sinh", {}, [](float x) { return std::sinh(x); }},
      {"Asinh", {}, [](float x) { return std::asinh(x); }},
  };
  for (const auto& c : cases) {
    Tensor out = run1(c.op, {f32({5}, kX)}, c.attrs);
    std::vector<float> expected;
    for (float x : kX) expected.push_back(c.ref(x));
    SCOPED_TRACE(c.op);
    expect_floats_near(out, expected, 1e-5f);
  }
}

TEST(ElementwiseUnary, SqrtLogReciprocalOnPositives) {
  expect_floats_near(run1("Sqrt", {f32({3}, {1, 4, 9})}), {1, 2, 3});
  expect_floats_near(run1("Log", {f32({2}, {1, std::exp(2.0f)})}), {0, 2});
  expect_floats_near(run1("Reciprocal", {f32({2}, {4, -0.5f})}), {0.25f, -2});
}

TEST(ElementwiseUnary, RoundHalvesToEven) {
  EXPECT_EQ(values<float>(run1("Round", {f32({6}, {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f})})),
            (std::vector<float>{0, 2, 2, -0, -2, 2}));
}

TEST(ElementwiseUnary, SigmoidIsStableForLargeInputs) {
  Tensor out = run1("Sigmoid", {f32({2}, {-100, 100})});
  EXPECT_EQ(out.data<float>()[0], std::exp(-100.0f) / (1 + std::exp(-100.0f)));
  EXPECT_EQ(out.data<float>()[1], 1.0f);
}

TEST(ElementwiseUnary, IntegerReluAbsNeg) {
  Tensor x = Tensor::from_vector<int8_t>({3}, {-5, 0, 7});
  EXPECT_EQ(values<int8_t>(run1("Relu", {x})), (std::vector<int8_t>{0, 0, 7}));
  EXPECT_EQ(values<int8_t>(run1("Abs", {x})), (std::vector<int8_t>{5, 0, 7}));
  EXPECT_EQ(values<int8_t>(run1("Neg", {x})), (std::vector<int8_t>{5, 0, -7}));
}

TEST(ElementwiseUnary, FloatOnlyOpRefusesIntegers) {
  expect_error([] { run1("Exp", {i32({1}, {1})}); }, "float32 only", ErrorKind::Unsupported);
}

TEST(ElementwiseUnary, ClipWithAttributesAndInputs) {
  Tensor x = f32({5}, kX);
  // Clip-6: attributes
  EXPECT_EQ(values<float>(run1("Clip", {x}, {{"min", -1.0f}, {"max", 1.0f}})),
            (std::vector<float>{-1, -0.5f, 0, 0.5f, 1}));
  // Clip-11+: optional inputs, max only
  EXPECT_EQ(values<float>(run1("Clip", {x, std::nullopt, f32({}, {0.25f})})),
            (std::vector<float>{-2, -0.5f, 0, 0.25f, 0.25f}));
  Tensor i8 = Tensor::from_vector<int8_t>({3}, {-100, 0, 100});
  EXPECT_EQ(values<int8_t>(run1("Clip", {i8, Tensor::scalar<int8_t>(-5), Tensor::scalar<int8_t>(5)})),
            (std::vector<int8_t>{-5, 0, 5}));
}

TEST(ElementwiseUnary, CastTruncatesFloatToInt) {
  Tensor x = f32({5}, {1.9f, -1.9f, 0.0f, 300.0f, std::numeric_limits<float>::quiet_NaN()});
  EXPECT_EQ(values<int32_t>(run1("Cast", {x}, {{"to", int64_t{6}}})), (std::vector<int32_t>{1, -1, 0, 300, 0}));
  EXPECT_EQ(values<bool>(run1("Cast", {x}, {{"to", int64_t{9}}})), (std::vector<bool>{true, true, false, true, true}));
  Tensor back = run1("Cast", {b8({2}, {true, false})}, {{"to", int64_t{1}}});
  EXPECT_EQ(values<float>(back), (std::vector<float>{1, 0}));
  EXPECT_EQ(values<int64_t>(run1("Cast", {i32({2}, {-3, 4})}, {{"to", int64_t{7}}})), (std::vector<int64_t>{-3, 4}));
}

TEST(ElementwiseUnary, CastToUnsupportedTypeNamesIt) {
  expect_error([] { run1("Cast", {f32({1}, {1})}, {{"to", int64_t{11}}}); }, "DOUBLE", ErrorKind::Unsupported);
}

TEST(ElementwiseUnary, DropoutIsIdentityWithAllTrueMask) {
  Tensor x = f32({2, 2}, {1, 2, 3, 4});
  auto outs = run_op("Dropout", {x, f32({}, {0.5f})}, {}, 2);
  EXPECT_EQ(values<float>(outs[0]), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(outs[1].dtype(), DType::Bool);
  EXPECT_EQ(values<bool>(outs[1]), (std::vector<bool>{true, true, true, true}));
  expect_error(
      [&] {
        run_op("Dropout", {x, f32({}, {0.5f}), b8({}, {true})}, {}, 1);
      },
      "training_mode", ErrorKind::Unsupported);
}

TEST(ElementwiseUnary, HardmaxPicksFirstMaximumAlongAxis) {
  Tensor out = run1("Hardmax", {f32({2, 3}, {1, 3, 3, 5, 0, 1})}, {{"axis", int64_t{1}}});
  EXPECT_EQ(values<float>(out), (std::vector<float>{0, 1, 0, 1, 0, 0}));
}

TEST(ElementwiseUnary, IsNaNAndIsInf) {
  const float inf = std::numeric_limits<float>::infinity();
  Tensor x = f32({4}, {1, -inf, inf, std::numeric_limits<float>::quiet_NaN()});
  EXPECT_EQ(values<bool>(run1("IsNaN", {x})), (std::vector<bool>{false, false, false, true}));
  EXPECT_EQ(values<bool>(run1("IsInf", {x}, {{"detect_negative", int64_t{0}}})),
            (std::vector<bool>{false, false, true, false}));
}

}  // namespace
}  // namespace etch::testing
