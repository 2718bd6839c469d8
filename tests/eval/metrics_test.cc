// Metrics against confusion matrices computed by hand (numbers in the comments).
#include "etch/eval/metrics.h"

#include <gtest/gtest.h>

namespace etch::eval {
namespace {

// truth 0 -> predicted 0, 0, 1; truth 1 -> 1, 0; truth 2 -> 1, 1 (class 2 is never predicted).
//   [[2, 1, 0],
//    [1, 1, 0],
//    [0, 2, 0]]
ConfusionMatrix three_class_example() {
  ConfusionMatrix cm(3);
  for (auto [t, p] : std::vector<std::pair<int, int>>{{0, 0}, {0, 0}, {0, 1}, {1, 1}, {1, 0}, {2, 1}, {2, 1}})
    cm.add(t, p);
  return cm;
}

TEST(Metrics, ConfusionMatrixCounts) {
  ConfusionMatrix cm = three_class_example();
  EXPECT_EQ(cm.total(), 7);
  EXPECT_EQ(cm.correct(), 3);
  EXPECT_EQ(cm.at(0, 1), 1);
  EXPECT_EQ(cm.at(2, 1), 2);
  EXPECT_EQ(cm.support(0), 3);
  EXPECT_EQ(cm.predicted_count(1), 4);
  EXPECT_EQ(cm.predicted_count(2), 0);
}

TEST(Metrics, PerClassAndAveragesByHand) {
  ClassificationSummary s = summarize(three_class_example());
  EXPECT_DOUBLE_EQ(s.top1, 3.0 / 7);
  EXPECT_EQ(s.top5, -1);  // fewer than 5 classes
  // class 0: tp 2, predicted 3, support 3
  EXPECT_DOUBLE_EQ(s.per_class[0].precision, 2.0 / 3);
  EXPECT_DOUBLE_EQ(s.per_class[0].recall, 2.0 / 3);
  EXPECT_DOUBLE_EQ(s.per_class[0].f1, 2.0 / 3);
  // class 1: tp 1, predicted 4, support 2 -> F1 = 2 (1/4)(1/2) / (3/4) = 1/3
  EXPECT_DOUBLE_EQ(s.per_class[1].precision, 0.25);
  EXPECT_DOUBLE_EQ(s.per_class[1].recall, 0.5);
  EXPECT_NEAR(s.per_class[1].f1, 1.0 / 3, 1e-15);
  // class 2: never predicted -> precision 0, recall 0, F1 0 (no NaN)
  EXPECT_EQ(s.per_class[2].precision, 0.0);
  EXPECT_EQ(s.per_class[2].recall, 0.0);
  EXPECT_EQ(s.per_class[2].f1, 0.0);
  EXPECT_EQ(s.per_class[2].support, 2);
  EXPECT_EQ(s.per_class[2].predicted, 0);
  // macro: P (2/3 + 1/4 + 0)/3 = 11/36, R (2/3 + 1/2 + 0)/3 = 7/18, F1 (2/3 + 1/3 + 0)/3 = 1/3
  EXPECT_NEAR(s.macro.precision, 11.0 / 36, 1e-15);
  EXPECT_NEAR(s.macro.recall, 7.0 / 18, 1e-15);
  EXPECT_NEAR(s.macro.f1, 1.0 / 3, 1e-15);
  // weighted by support (3, 2, 2): P 2.5/7, R 3/7 (= accuracy), F1 (2 + 2/3)/7 = 8/21
  EXPECT_NEAR(s.weighted.precision, 5.0 / 14, 1e-15);
  EXPECT_NEAR(s.weighted.recall, 3.0 / 7, 1e-15);
  EXPECT_NEAR(s.weighted.f1, 8.0 / 21, 1e-15);
}

TEST(Metrics, AbsentClassIsLeftOutOfMacroAverage) {
  // 4 classes, class 3 neither a label nor a prediction: averages over classes 0..2 as above.
  ConfusionMatrix cm(4);
  for (auto [t, p] : std::vector<std::pair<int, int>>{{0, 0}, {0, 0}, {0, 1}, {1, 1}, {1, 0}, {2, 1}, {2, 1}})
    cm.add(t, p);
  ClassificationSummary s = summarize(cm);
  EXPECT_NEAR(s.macro.f1, 1.0 / 3, 1e-15);
  EXPECT_EQ(s.per_class[3].f1, 0.0);
}

TEST(Metrics, PerfectAndAllWrong) {
  ConfusionMatrix perfect(2);
  perfect.add(0, 0, 5);
  perfect.add(1, 1, 3);
  ClassificationSummary p = summarize(perfect);
  EXPECT_EQ(p.top1, 1.0);
  EXPECT_EQ(p.macro.f1, 1.0);
  EXPECT_EQ(p.weighted.precision, 1.0);

  ConfusionMatrix wrong(2);
  wrong.add(0, 1, 4);  // everything labelled 0 predicted as 1; class 1 has no support
  ClassificationSummary w = summarize(wrong);
  EXPECT_EQ(w.top1, 0.0);
  EXPECT_EQ(w.per_class[0].precision, 0.0);  // never predicted
  EXPECT_EQ(w.per_class[1].recall, 0.0);     // no support
  EXPECT_EQ(w.macro.f1, 0.0);
  EXPECT_EQ(w.weighted.f1, 0.0);
}

TEST(Metrics, EmptyMatrixHasNoNaN) {
  ClassificationSummary s = summarize(ConfusionMatrix(3), 0);
  EXPECT_EQ(s.images, 0);
  EXPECT_EQ(s.top1, 0.0);
  EXPECT_EQ(s.macro.f1, 0.0);
  EXPECT_EQ(s.weighted.precision, 0.0);
}

TEST(Metrics, RankFollowsArgMaxTieRule) {
  const float s[6] = {0.1f, 0.9f, 0.9f, 0.3f, 0.2f, 0.0f};
  EXPECT_EQ(arg_max(s, 6), 1);
  EXPECT_EQ(label_rank(s, 6, 1), 0);  // the first of two equal maxima wins
  EXPECT_EQ(label_rank(s, 6, 2), 1);
  EXPECT_EQ(label_rank(s, 6, 3), 2);
  EXPECT_EQ(label_rank(s, 6, 0), 4);
  EXPECT_EQ(label_rank(s, 6, 5), 5);
}

TEST(Metrics, BatchesTop1Top5) {
  ClassificationMetrics m(6);
  // row 0: arg-max 1 (label 1: top-1 hit); row 1: label 5 has the lowest score (rank 5: top-5 miss);
  // row 2: label 0 ranks 4th (top-5 hit, top-1 miss).
  Tensor logits = Tensor::from_vector<float>({3, 6}, {0, 5, 1, 1, 1, 1,  //
                                                      3, 2, 4, 1, 6, 0,  //
                                                      1, 9, 8, 7, 0, 0.5f});
  std::vector<int64_t> pred = m.add_batch(logits, {1, 5, 0});
  EXPECT_EQ(pred, (std::vector<int64_t>{1, 4, 1}));
  ClassificationSummary s = m.summary();
  EXPECT_DOUBLE_EQ(s.top1, 1.0 / 3);
  EXPECT_DOUBLE_EQ(s.top5, 2.0 / 3);
  EXPECT_EQ(s.confusion.at(5, 4), 1);
  EXPECT_EQ(s.confusion.at(0, 1), 1);
}

TEST(Metrics, BatchShapeAndLabelErrors) {
  ClassificationMetrics m(3);
  EXPECT_THROW(m.add_batch(Tensor::from_vector<float>({1, 4}, {0, 1, 2, 3}), {0}), Error);
  EXPECT_THROW(m.add_batch(Tensor::from_vector<float>({1, 3}, {0, 1, 2}), {3}), Error);
}

TEST(Metrics, AgreementAndLogitDifferences) {
  Agreement a;
  Tensor x = Tensor::from_vector<float>({2, 3}, {1, 2, 3, 3, 2, 1});
  Tensor y = Tensor::from_vector<float>({2, 3}, {1, 2, 3.5f, 1, 2, 4});  // row 0 agrees, row 1 does not
  a.add_batch(x, y);
  EXPECT_EQ(a.images(), 2);
  EXPECT_EQ(a.same(), 1);
  EXPECT_DOUBLE_EQ(a.rate(), 0.5);
  EXPECT_DOUBLE_EQ(a.max_abs_diff(), 3.0);
  EXPECT_DOUBLE_EQ(a.mean_abs_diff(), (0.5 + 2 + 0 + 3) / 6);
  a.add_batch(x, x);
  EXPECT_DOUBLE_EQ(a.rate(), 0.75);
  EXPECT_DOUBLE_EQ(a.mean_abs_diff(), 5.5 / 12);
}

}  // namespace
}  // namespace etch::eval
