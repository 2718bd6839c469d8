#include "etch/quant/observer.h"

#include <algorithm>
#include <cmath>

#include "etch/core/error.h"

namespace etch::quant {

void Observer::observe(const Tensor& t) {
  if (t.dtype() == DType::F32) {
    observe(std::span<const float>(t.data<float>(), static_cast<size_t>(t.numel())));
  } else {
    std::vector<float> v = t.to_float_vector();
    observe(std::span<const float>(v));
  }
}

bool Observer::batch_min_max(std::span<const float> values, float& mn, float& mx) {
  bool any = false;
  for (float v : values) {
    if (!std::isfinite(v)) {
      ++nonfinite_;
      continue;
    }
    if (!any) {
      mn = mx = v;
      any = true;
    }
    mn = std::min(mn, v);
    mx = std::max(mx, v);
    ++count_;
  }
  return any;
}

static void require_observed(const Observer& o) {
  ETCH_REQUIRE(!o.empty(), InvalidInput) << "observer: no finite value observed (" << o.nonfinite_count()
                                         << " non-finite values skipped); cannot derive a range";
}

void MinMaxObserver::observe(std::span<const float> values) {
  bool first = empty();
  float mn = 0, mx = 0;
  if (!batch_min_max(values, mn, mx)) return;
  min_ = first ? mn : std::min(min_, mn);
  max_ = first ? mx : std::max(max_, mx);
}

Range MinMaxObserver::range() const {
  require_observed(*this);
  return {min_, max_};
}

MovingAverageMinMaxObserver::MovingAverageMinMaxObserver(float averaging_constant) : c_(averaging_constant) {
  ETCH_REQUIRE(c_ > 0.0f && c_ <= 1.0f, InvalidInput)
      << "moving-average observer: averaging_constant must be in (0, 1], got " << c_;
}

void MovingAverageMinMaxObserver::observe(std::span<const float> values) {
  bool first = empty();
  float mn = 0, mx = 0;
  if (!batch_min_max(values, mn, mx)) return;
  if (first) {
    min_ = mn;
    max_ = mx;
  } else {
    min_ = min_ + c_ * (mn - min_);
    max_ = max_ + c_ * (mx - max_);
  }
}

Range MovingAverageMinMaxObserver::range() const {
  require_observed(*this);
  return {min_, max_};
}

HistogramObserver::HistogramObserver(int bins) {
  ETCH_REQUIRE(bins >= 2, InvalidInput) << "histogram observer: need at least 2 bins, got " << bins;
  counts_.assign(static_cast<size_t>(bins), 0);
}

int64_t HistogramObserver::index_of(float x) const { return static_cast<int64_t>(std::floor(x / width_)); }

// Smallest power-of-two factor k such that the old bins and [lo, hi] (values in
// units of the current width) fit in bins() bins of width k·w, then merge.
void HistogramObserver::grow_to_cover(double lo, double hi) {
  const int64_t b = bins();
  double lo_d = std::min(lo, static_cast<double>(origin_));
  double hi_d = std::max(hi, static_cast<double>(origin_ + b - 1));
  double k = 1.0;
  while (std::floor(hi_d / k) - std::floor(lo_d / k) > static_cast<double>(b - 1)) k *= 2.0;
  if (k == 1.0) return;
  double new_origin = std::floor(lo_d / k);
  std::vector<int64_t> merged(counts_.size(), 0);
  for (int64_t i = 0; i < b; ++i) {
    if (counts_[i] == 0) continue;
    double j = std::floor(static_cast<double>(origin_ + i) / k) - new_origin;
    ETCH_CHECK(j >= 0 && j < static_cast<double>(b)) << "histogram rebin out of range";
    merged[static_cast<size_t>(j)] += counts_[i];
  }
  counts_ = std::move(merged);
  origin_ = static_cast<int64_t>(new_origin);
  width_ *= k;
}

void HistogramObserver::observe(std::span<const float> values) {
  bool first = empty();
  float mn = 0, mx = 0;
  if (!batch_min_max(values, mn, mx)) return;
  if (first) {
    // Initial width spans the first batch; the 2^-30 floor keeps indices (in
    // units of the width) small for data far from 0 with a tiny spread. A
    // constant batch gets a width from its magnitude (or 1 if all zeros).
    double mag = std::max(std::fabs(static_cast<double>(mn)), std::fabs(static_cast<double>(mx)));
    double span = static_cast<double>(mx) - mn;
    if (span == 0.0) span = mag > 0.0 ? mag : 1.0;
    width_ = std::max(span / static_cast<double>(bins() - 1), std::ldexp(mag, -30));
    min_ = mn;
    max_ = mx;
    origin_ = index_of(mn);
  } else {
    min_ = std::min(min_, mn);
    max_ = std::max(max_, mx);
  }
  // In double: a value far outside the current range may not fit an int64 in
  // units of the old width.
  grow_to_cover(std::floor(mn / width_), std::floor(mx / width_));
  const int64_t last = bins() - 1;
  for (float v : values) {
    if (!std::isfinite(v)) continue;
    int64_t i = std::clamp<int64_t>(index_of(v) - origin_, 0, last);
    ++counts_[static_cast<size_t>(i)];
  }
}

Range HistogramObserver::range() const {
  require_observed(*this);
  return {min_, max_};
}

}  // namespace etch::quant
