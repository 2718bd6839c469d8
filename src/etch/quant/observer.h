// Observers accumulate statistics of float tensors (activations) over many
// calibration batches; calibrator.h turns the statistics into a range and
// qparams.h the range into quantization parameters.
//
// Non-finite values (NaN, ±Inf) are skipped and counted, so one bad batch
// cannot poison the statistics; callers may report nonfinite_count().
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "etch/core/tensor.h"

namespace etch::quant {

// A closed real interval [min, max]; min > max means "nothing observed".
struct Range {
  float min = 0.0f;
  float max = 0.0f;
  bool operator==(const Range&) const = default;
};

class Observer {
 public:
  virtual ~Observer() = default;
  virtual void observe(std::span<const float> values) = 0;
  void observe(const Tensor& t);  // any dtype; converted to float
  // The range the statistics suggest without clipping. Throws InvalidInput if
  // no finite value was ever observed.
  virtual Range range() const = 0;
  bool empty() const { return count_ == 0; }
  int64_t count() const { return count_; }  // finite values seen
  int64_t nonfinite_count() const { return nonfinite_; }

 protected:
  // Finite min/max of one batch; false if it had no finite value.
  bool batch_min_max(std::span<const float> values, float& mn, float& mx);
  int64_t count_ = 0;
  int64_t nonfinite_ = 0;
};

// Running minimum and maximum over all batches.
class MinMaxObserver : public Observer {
 public:
  void observe(std::span<const float> values) override;
  using Observer::observe;
  Range range() const override;

 private:
  float min_ = 0.0f, max_ = 0.0f;
};

// PyTorch's MovingAverageMinMaxObserver: the first batch sets min/max, later
// ones move them by averaging_constant · (batch − running) — an EMA of the
// per-batch extremes, which damps rare outlier batches.
class MovingAverageMinMaxObserver : public Observer {
 public:
  explicit MovingAverageMinMaxObserver(float averaging_constant = 0.01f);
  void observe(std::span<const float> values) override;
  using Observer::observe;
  Range range() const override;

 private:
  float c_;
  float min_ = 0.0f, max_ = 0.0f;
};

// A fixed number of equal-width bins whose edges are integer multiples of the
// bin width w, so 0 is always an edge (this lets the entropy calibrator fold
// the histogram into one of |x| exactly). When data falls outside, w doubles
// (repeatedly) and groups of old bins merge exactly into new ones: the result
// depends only on the data and its order of batches, never on threads.
class HistogramObserver : public Observer {
 public:
  explicit HistogramObserver(int bins = 2048);
  void observe(std::span<const float> values) override;
  using Observer::observe;
  Range range() const override;  // exact observed min/max

  int bins() const { return static_cast<int>(counts_.size()); }
  double bin_width() const { return width_; }
  // Bin i covers [edge(i), edge(i + 1)).
  double edge(int i) const { return static_cast<double>(origin_ + i) * width_; }
  const std::vector<int64_t>& counts() const { return counts_; }
  int64_t first_index() const { return origin_; }  // edge(0) / bin_width(), exactly

 private:
  int64_t index_of(float x) const;           // in units of width_, not clamped
  void grow_to_cover(double lo, double hi);  // bin indices in units of width_

  std::vector<int64_t> counts_;
  double width_ = 0.0;
  int64_t origin_ = 0;  // bin 0 starts at origin_ · width_
  float min_ = 0.0f, max_ = 0.0f;
};

}  // namespace etch::quant
