// Classification metrics accumulated batch by batch: top-1/top-5 accuracy, the
// confusion matrix and per-class precision/recall/F1 with macro and weighted
// averages. A class that is never predicted has precision 0 (and F1 0) rather
// than a division by zero, as scikit-learn's zero_division=0.
#pragma once
#include <cstdint>
#include <vector>

#include "etch/core/tensor.h"

namespace etch::eval {

// counts[truth][predicted].
class ConfusionMatrix {
 public:
  ConfusionMatrix() = default;
  explicit ConfusionMatrix(int64_t classes);
  void add(int64_t truth, int64_t predicted, int64_t count = 1);  // ETCH_CHECK both in range
  int64_t classes() const { return classes_; }
  int64_t at(int64_t truth, int64_t predicted) const { return counts_[truth * classes_ + predicted]; }
  int64_t total() const { return total_; }
  int64_t support(int64_t c) const;          // row sum: images whose label is c
  int64_t predicted_count(int64_t c) const;  // column sum: images predicted as c
  int64_t correct() const;                   // trace

 private:
  int64_t classes_ = 0, total_ = 0;
  std::vector<int64_t> counts_;
};

struct ClassScores {
  double precision = 0, recall = 0, f1 = 0;
  int64_t support = 0, predicted = 0;
};

struct ClassificationSummary {
  int64_t images = 0;
  double top1 = 0;
  double top5 = -1;  // -1 when the model has fewer than 5 classes
  std::vector<ClassScores> per_class;
  // Averages over the classes that occur as a label or a prediction (the
  // labels scikit-learn averages over): unweighted, and weighted by support.
  ClassScores macro, weighted;
  ConfusionMatrix confusion;
};

// Scores of one class from a confusion matrix (zero where a denominator is 0).
ClassScores class_scores(const ConfusionMatrix& cm, int64_t c);
ClassificationSummary summarize(const ConfusionMatrix& cm, int64_t top5_hits = -1);

// Rank of `label` among the scores with arg-max's tie rule (an earlier index
// wins a tie): top-k hit iff rank < k, and rank 0 iff arg-max == label.
int64_t label_rank(const float* scores, int64_t classes, int64_t label);
int64_t arg_max(const float* scores, int64_t classes);

class ClassificationMetrics {
 public:
  explicit ClassificationMetrics(int64_t classes);
  // logits f32 [B, classes]; labels[i] for row i. Returns each row's top-1.
  std::vector<int64_t> add_batch(const Tensor& logits, const std::vector<int64_t>& labels);
  void add(int64_t label, int64_t predicted, bool in_top5);
  ClassificationSummary summary() const;
  int64_t classes() const { return cm_.classes(); }

 private:
  ConfusionMatrix cm_;
  int64_t top5_hits_ = 0;
};

// Same-top-1 rate and logit differences between two executors on the same images.
class Agreement {
 public:
  void add_batch(const Tensor& logits_a, const Tensor& logits_b);
  int64_t images() const { return images_; }
  double rate() const { return images_ ? static_cast<double>(same_) / static_cast<double>(images_) : 0.0; }
  int64_t same() const { return same_; }
  double max_abs_diff() const { return max_abs_; }
  double mean_abs_diff() const { return values_ ? sum_abs_ / static_cast<double>(values_) : 0.0; }

 private:
  int64_t images_ = 0, same_ = 0, values_ = 0;
  double max_abs_ = 0, sum_abs_ = 0;
};

}  // namespace etch::eval
