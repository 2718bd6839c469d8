#include "etch/quant/calibrator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "etch/core/error.h"

namespace etch::quant {

Calibration parse_calibration(std::string_view name) {
  if (name == "minmax") return Calibration::MinMax;
  if (name == "percentile") return Calibration::Percentile;
  if (name == "entropy") return Calibration::Entropy;
  if (name == "mse") return Calibration::Mse;
  if (name == "ema") return Calibration::Ema;
  if (name == "sample-mse") return Calibration::SampleMse;
  ETCH_FAIL(InvalidInput) << "unknown calibration method '" << name
                          << "' (expected sample-mse, minmax, ema, percentile, entropy or mse)";
}

const char* calibration_name(Calibration c) {
  switch (c) {
    case Calibration::MinMax:
      return "minmax";
    case Calibration::Percentile:
      return "percentile";
    case Calibration::Entropy:
      return "entropy";
    case Calibration::Mse:
      return "mse";
    case Calibration::Ema:
      return "ema";
    case Calibration::SampleMse:
      return "sample-mse";
  }
  return "?";
}

static int64_t total_count(const HistogramObserver& h) {
  return std::accumulate(h.counts().begin(), h.counts().end(), int64_t{0});
}

// The value below which `rank` of the counted values lie, assuming values are
// spread uniformly inside each bin.
static double value_at_rank(const HistogramObserver& h, double rank) {
  double cum = 0.0;
  for (int i = 0; i < h.bins(); ++i) {
    double c = static_cast<double>(h.counts()[i]);
    if (c > 0 && cum + c >= rank) return h.edge(i) + std::max(0.0, rank - cum) / c * h.bin_width();
    cum += c;
  }
  return h.edge(h.bins());
}

Range percentile_range(const HistogramObserver& h, double percentile) {
  ETCH_REQUIRE(percentile >= 50.0 && percentile <= 100.0, InvalidInput)
      << "percentile calibration: percentile must be in [50, 100], got " << percentile;
  Range r = h.range();
  double n = static_cast<double>(total_count(h));
  double lo = value_at_rank(h, n * (1.0 - percentile / 100.0));
  double hi = value_at_rank(h, n * percentile / 100.0);
  return {std::clamp(static_cast<float>(lo), r.min, r.max), std::clamp(static_cast<float>(hi), r.min, r.max)};
}

// MXNet's _smooth_distribution: move eps of mass onto every empty bin, taken
// evenly from the non-empty ones, so KL(P‖Q) stays finite. False if all empty.
static bool smooth(std::vector<double>& d) {
  constexpr double kEps = 1e-4;
  int64_t zeros = std::count(d.begin(), d.end(), 0.0);
  int64_t nonzeros = static_cast<int64_t>(d.size()) - zeros;
  if (nonzeros == 0) return false;
  double eps1 = kEps * static_cast<double>(zeros) / static_cast<double>(nonzeros);
  for (double& v : d) v += v == 0.0 ? kEps : -eps1;
  return true;
}

static double kl_divergence(const std::vector<double>& p, const std::vector<double>& q) {
  double sp = std::accumulate(p.begin(), p.end(), 0.0), sq = std::accumulate(q.begin(), q.end(), 0.0);
  double kl = 0.0;
  for (size_t k = 0; k < p.size(); ++k) {
    double pk = p[k] / sp, qk = q[k] / sq;
    if (pk <= 0.0) continue;
    if (qk <= 0.0) return std::numeric_limits<double>::infinity();
    kl += pk * std::log(pk / qk);
  }
  return kl;
}

// KL(P‖Q) for the threshold after the first i bins of the |x| histogram.
static double threshold_divergence(const std::vector<double>& hist, int i, int nq) {
  std::vector<double> p(hist.begin(), hist.begin() + i);
  p[i - 1] += std::accumulate(hist.begin() + i, hist.end(), 0.0);
  const int merged = i / nq;
  std::vector<double> q(static_cast<size_t>(i), 0.0);
  for (int j = 0; j < nq; ++j) {
    int start = j * merged, stop = j == nq - 1 ? i : start + merged;
    // Q's mass comes from the clipped histogram without the outliers: that is
    // what penalises thresholds that fold many outliers into the last bin.
    double mass = std::accumulate(hist.begin() + start, hist.begin() + stop, 0.0);
    int nonzero =
        static_cast<int>(std::count_if(p.begin() + start, p.begin() + stop, [](double v) { return v != 0.0; }));
    if (nonzero == 0) continue;
    for (int k = start; k < stop; ++k) q[k] = p[k] != 0.0 ? mass / nonzero : 0.0;
  }
  if (!smooth(p) || !smooth(q)) return std::numeric_limits<double>::infinity();
  return kl_divergence(p, q);
}

Range entropy_range(const HistogramObserver& h, int quantized_bins) {
  Range r = h.range();
  int nq = quantized_bins;
  if (nq == 0) nq = (r.min < 0.0f && r.max > 0.0f) ? 128 : 256;
  ETCH_REQUIRE(nq >= 2, InvalidInput) << "entropy calibration: quantized_bins must be >= 2, got " << nq;
  // Bin m of |x| covers [m·w, (m+1)·w): histogram index m ≥ 0 or −m−1 < 0.
  const int64_t origin = h.first_index();
  const int64_t abs_bins = std::max(origin + h.bins(), -origin);
  const int64_t factor = (abs_bins + h.bins() - 1) / h.bins();  // keep ≤ bins() bins
  const int nb = static_cast<int>((abs_bins + factor - 1) / factor);
  std::vector<double> hist(static_cast<size_t>(nb), 0.0);
  for (int i = 0; i < h.bins(); ++i) {
    int64_t m = origin + i;
    int64_t a = m >= 0 ? m : -m - 1;
    hist[static_cast<size_t>(a / factor)] += static_cast<double>(h.counts()[i]);
  }
  if (nb <= nq) return r;  // too few bins to clip anything
  int best = nb;
  double best_kl = std::numeric_limits<double>::infinity();
  for (int i = nq; i <= nb; ++i) {
    double kl = threshold_divergence(hist, i, nq);
    if (kl < best_kl) best_kl = kl, best = i;
  }
  float t = static_cast<float>(best * h.bin_width() * static_cast<double>(factor));
  return {std::max(r.min, -t), std::min(r.max, t)};
}

Range mse_range(const HistogramObserver& h) {
  const Range r = h.range();
  const int b = h.bins();
  const double dmin = std::min(0.0, static_cast<double>(r.min)), dmax = std::max(0.0, static_cast<double>(r.max));
  // Prefix sums of n, n·c, n·c² over bin centres c (clamped to the data).
  std::vector<double> n(b + 1, 0.0), s1(b + 1, 0.0), s2(b + 1, 0.0);
  for (int k = 0; k < b; ++k) {
    double c = std::clamp(h.edge(k) + 0.5 * h.bin_width(), static_cast<double>(r.min), static_cast<double>(r.max));
    double cnt = static_cast<double>(h.counts()[k]);
    n[k + 1] = n[k] + cnt;
    s1[k + 1] = s1[k] + cnt * c;
    s2[k + 1] = s2[k] + cnt * c * c;
  }
  // Edge index of 0, clamped: lower ends at edges ≤ 0, upper ends at edges ≥ 0.
  const int zero = static_cast<int>(std::clamp<int64_t>(-h.first_index(), 0, b));
  double best = std::numeric_limits<double>::infinity();
  Range out{static_cast<float>(dmin), static_cast<float>(dmax)};
  for (int i = 0; i <= zero; ++i) {
    double lo = std::clamp(h.edge(i), dmin, 0.0);
    double below = lo * lo * n[i] - 2.0 * lo * s1[i] + s2[i];  // Σ n (lo − c)²
    for (int j = b; j >= zero; --j) {
      double hi = std::clamp(h.edge(j), 0.0, dmax);
      double above = (s2[b] - s2[j]) - 2.0 * hi * (s1[b] - s1[j]) + hi * hi * (n[b] - n[j]);
      double step = (hi - lo) / 255.0;
      double err = below + above + (n[j] - n[i]) * step * step / 12.0;
      if (err < best) best = err, out = {static_cast<float>(lo), static_cast<float>(hi)};
    }
  }
  return out;
}

Range sample_quantile_range(const std::vector<Range>& per_sample, double q) {
  if (per_sample.empty()) return {};
  std::vector<float> lo, hi;
  for (const Range& r : per_sample) lo.push_back(r.min), hi.push_back(r.max);
  std::sort(lo.begin(), lo.end());
  std::sort(hi.begin(), hi.end());
  const size_t n = hi.size();
  // Nearest rank: the ceil(q·n)-th smallest upper end (1-based).
  const double rank = std::ceil(q * static_cast<double>(n));
  const size_t k = rank < 1 ? 0 : std::min(n - 1, static_cast<size_t>(rank) - 1);
  return {lo[n - 1 - k], hi[k]};
}

Range calibrate(const HistogramObserver& h, Calibration method, double percentile) {
  switch (method) {
    case Calibration::MinMax:
      return h.range();
    case Calibration::Percentile:
      return percentile_range(h, percentile);
    case Calibration::Entropy:
      return entropy_range(h);
    case Calibration::Mse:
    case Calibration::SampleMse:
      return mse_range(h);
    case Calibration::Ema:
      break;
  }
  ETCH_FAIL(Internal) << "unhandled calibration method";
}

}  // namespace etch::quant
