#include "etch/eval/fidelity.h"

#include <gtest/gtest.h>

#include <cmath>

#include "etch/core/error.h"

namespace etch::eval {
namespace {

TEST(Fidelity, SqnrMaxDifferenceAndTop1Agreement) {
  // Two samples of three scores; the second sample's arg-max moves from 2 to 1.
  const Tensor ref = Tensor::from_vector<float>({2, 3}, {1, 2, 3, 3, 4, 5});
  const Tensor test = Tensor::from_vector<float>({2, 3}, {1, 2, 3, 3, 5.5f, 5});
  const std::vector<OutputFidelity> f = compare_outputs({"scores"}, {ref}, {test});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].output, "scores");
  // signal 1+4+9+9+16+25 = 64, noise 1.5^2 = 2.25
  EXPECT_NEAR(f[0].sqnr_db, 10 * std::log10(64 / 2.25), 1e-9);
  EXPECT_DOUBLE_EQ(f[0].max_abs_diff, 1.5);
  ASSERT_TRUE(f[0].top1_agreement.has_value());
  EXPECT_DOUBLE_EQ(*f[0].top1_agreement, 0.5);
}

TEST(Fidelity, IdenticalOutputsAreInfiniteAndNonClassifiersHaveNoAgreement) {
  const Tensor boxes = Tensor::from_vector<float>({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  const std::vector<OutputFidelity> f = compare_outputs({"boxes"}, {boxes}, {boxes});
  EXPECT_TRUE(std::isinf(f[0].sqnr_db) && f[0].sqnr_db > 0);
  EXPECT_EQ(f[0].max_abs_diff, 0.0);
  EXPECT_FALSE(f[0].top1_agreement.has_value());
  // [N, 1] scores are not a classifier either (one class).
  const Tensor score = Tensor::from_vector<float>({2, 1}, {0.1f, 0.9f});
  EXPECT_FALSE(compare_outputs({"s"}, {score}, {score})[0].top1_agreement.has_value());
}

TEST(Fidelity, ProbabilityOutputsGetDecisionAgreementAtOneHalf) {
  // Four VAD frames: the third crosses 0.5 in the test model, the others move
  // but stay on their side.
  const Tensor ref = Tensor::from_vector<float>({4, 1}, {0.1f, 0.9f, 0.45f, 0.7f});
  const Tensor test = Tensor::from_vector<float>({4, 1}, {0.3f, 0.6f, 0.55f, 0.51f});
  const std::vector<OutputFidelity> f = compare_outputs({"output"}, {ref}, {test});
  ASSERT_TRUE(f[0].decision_agreement.has_value());
  EXPECT_DOUBLE_EQ(*f[0].decision_agreement, 0.75);
  EXPECT_FALSE(f[0].top1_agreement.has_value());
  // Values outside [0, 1] are no probability, and several values per sample
  // are no single decision.
  const Tensor logits = Tensor::from_vector<float>({2, 1}, {-2.0f, 3.0f});
  EXPECT_FALSE(compare_outputs({"l"}, {logits}, {logits})[0].decision_agreement.has_value());
  const Tensor pair = Tensor::from_vector<float>({1, 2}, {0.2f, 0.8f});
  EXPECT_FALSE(compare_outputs({"p"}, {pair}, {pair})[0].decision_agreement.has_value());
}

TEST(Fidelity, ShapeMismatchNamesTheOutput) {
  const Tensor a = Tensor::from_vector<float>({2, 1}, {1, 2});
  const Tensor b = Tensor::from_vector<float>({1, 2}, {1, 2});
  try {
    compare_outputs({"prob"}, {a}, {b});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'prob'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace etch::eval
