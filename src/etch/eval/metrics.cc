#include "etch/eval/metrics.h"

#include <algorithm>
#include <cmath>

namespace etch::eval {

ConfusionMatrix::ConfusionMatrix(int64_t classes) : classes_(classes), counts_(classes * classes, 0) {
  ETCH_CHECK(classes >= 1) << "confusion matrix needs at least one class, got " << classes;
}

void ConfusionMatrix::add(int64_t truth, int64_t predicted, int64_t count) {
  ETCH_CHECK(truth >= 0 && truth < classes_ && predicted >= 0 && predicted < classes_)
      << "class out of range: truth " << truth << ", predicted " << predicted << ", classes " << classes_;
  counts_[truth * classes_ + predicted] += count;
  total_ += count;
}

int64_t ConfusionMatrix::support(int64_t c) const {
  int64_t s = 0;
  for (int64_t p = 0; p < classes_; ++p) s += at(c, p);
  return s;
}

int64_t ConfusionMatrix::predicted_count(int64_t c) const {
  int64_t s = 0;
  for (int64_t t = 0; t < classes_; ++t) s += at(t, c);
  return s;
}

int64_t ConfusionMatrix::correct() const {
  int64_t s = 0;
  for (int64_t c = 0; c < classes_; ++c) s += at(c, c);
  return s;
}

ClassScores class_scores(const ConfusionMatrix& cm, int64_t c) {
  ClassScores s;
  const int64_t tp = cm.at(c, c);
  s.support = cm.support(c);
  s.predicted = cm.predicted_count(c);
  s.precision = s.predicted ? static_cast<double>(tp) / static_cast<double>(s.predicted) : 0.0;
  s.recall = s.support ? static_cast<double>(tp) / static_cast<double>(s.support) : 0.0;
  const double pr = s.precision + s.recall;
  s.f1 = pr > 0 ? 2 * s.precision * s.recall / pr : 0.0;
  return s;
}

ClassificationSummary summarize(const ConfusionMatrix& cm, int64_t top5_hits) {
  ClassificationSummary r;
  r.confusion = cm;
  r.images = cm.total();
  r.top1 = r.images ? static_cast<double>(cm.correct()) / static_cast<double>(r.images) : 0.0;
  if (top5_hits >= 0 && cm.classes() >= 5)
    r.top5 = r.images ? static_cast<double>(top5_hits) / static_cast<double>(r.images) : 0.0;
  int64_t counted = 0;
  for (int64_t c = 0; c < cm.classes(); ++c) {
    const ClassScores s = class_scores(cm, c);
    r.per_class.push_back(s);
    if (s.support == 0 && s.predicted == 0) continue;
    ++counted;
    r.macro.precision += s.precision, r.macro.recall += s.recall, r.macro.f1 += s.f1;
    const double w = static_cast<double>(s.support);
    r.weighted.precision += w * s.precision, r.weighted.recall += w * s.recall, r.weighted.f1 += w * s.f1;
  }
  r.macro.support = r.weighted.support = r.images;
  r.macro.predicted = r.weighted.predicted = r.images;
  if (counted) r.macro.precision /= counted, r.macro.recall /= counted, r.macro.f1 /= counted;
  if (r.images) {
    const double n = static_cast<double>(r.images);
    r.weighted.precision /= n, r.weighted.recall /= n, r.weighted.f1 /= n;
  }
  return r;
}

int64_t arg_max(const float* scores, int64_t classes) { return std::max_element(scores, scores + classes) - scores; }

int64_t label_rank(const float* scores, int64_t classes, int64_t label) {
  const float s = scores[label];
  int64_t rank = 0;
  for (int64_t c = 0; c < classes; ++c) rank += scores[c] > s || (c < label && scores[c] == s);
  return rank;
}

ClassificationMetrics::ClassificationMetrics(int64_t classes) : cm_(classes) {}

void ClassificationMetrics::add(int64_t label, int64_t predicted, bool in_top5) {
  cm_.add(label, predicted);
  top5_hits_ += in_top5;
}

std::vector<int64_t> ClassificationMetrics::add_batch(const Tensor& logits, const std::vector<int64_t>& labels) {
  const int64_t rows = static_cast<int64_t>(labels.size());
  ETCH_REQUIRE(
      logits.dtype() == DType::F32 && logits.rank() == 2 && logits.dim(0) == rows && logits.dim(1) == cm_.classes(),
      InvalidInput)
      << "expected f32 scores of shape [" << rows << ", " << cm_.classes() << "], got " << dtype_name(logits.dtype())
      << " " << shape_str(logits.shape());
  std::vector<int64_t> predicted(rows);
  const float* p = logits.data<float>();
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = p + r * cm_.classes();
    ETCH_REQUIRE(labels[r] >= 0 && labels[r] < cm_.classes(), InvalidInput)
        << "label " << labels[r] << " is outside the model's " << cm_.classes() << " classes";
    predicted[r] = arg_max(row, cm_.classes());
    add(labels[r], predicted[r], label_rank(row, cm_.classes(), labels[r]) < 5);
  }
  return predicted;
}

ClassificationSummary ClassificationMetrics::summary() const { return summarize(cm_, top5_hits_); }

void Agreement::add_batch(const Tensor& a, const Tensor& b) {
  ETCH_REQUIRE(a.dtype() == DType::F32 && b.dtype() == DType::F32 && a.shape() == b.shape() && a.rank() == 2,
               InvalidInput)
      << "cannot compare outputs of shapes " << shape_str(a.shape()) << " and " << shape_str(b.shape());
  const int64_t rows = a.dim(0), classes = a.dim(1);
  const float *pa = a.data<float>(), *pb = b.data<float>();
  for (int64_t r = 0; r < rows; ++r) {
    const float *ra = pa + r * classes, *rb = pb + r * classes;
    same_ += arg_max(ra, classes) == arg_max(rb, classes);
    for (int64_t c = 0; c < classes; ++c) {
      const double d = std::abs(static_cast<double>(ra[c]) - static_cast<double>(rb[c]));
      max_abs_ = std::max(max_abs_, d);
      sum_abs_ += d;
    }
  }
  images_ += rows;
  values_ += rows * classes;
}

}  // namespace etch::eval
