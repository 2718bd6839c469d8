#include "etch/quant/calibration_run.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <set>

#include "etch/core/progress.h"
#include "etch/data/rng.h"
#include "etch/runtime/interpreter.h"
#include "etch/runtime/sample_feed.h"

namespace etch::quant {

std::vector<int64_t> calibration_rows(const data::Dataset& calib, const PtqOptions& o) {
  const int64_t n = calib.size();
  std::vector<int64_t> rows;
  if (n <= o.calib_samples) {
    for (int64_t i = 0; i < n; ++i) rows.push_back(i);
    return rows;
  }
  if (!calib.carry.empty()) {
    // Streaming: whole sequences in a seeded order, each in time order, so
    // that every window but a sequence's first sees its predecessor's state.
    std::vector<std::vector<int64_t>> by_sequence(
        static_cast<size_t>(*std::max_element(calib.sequence.begin(), calib.sequence.end()) + 1));
    for (int64_t i = 0; i < n; ++i)
      by_sequence[static_cast<size_t>(calib.sequence[static_cast<size_t>(i)])].push_back(i);
    for (int64_t seq : data::shuffled_indices(static_cast<int64_t>(by_sequence.size()), o.seed))
      for (int64_t i : by_sequence[static_cast<size_t>(seq)])
        if (static_cast<int64_t>(rows.size()) < o.calib_samples) rows.push_back(i);
    return rows;
  }
  rows = data::shuffled_indices(n, o.seed);
  rows.resize(static_cast<size_t>(o.calib_samples));
  return rows;
}

namespace {
// sample-mse fits a range to one sample's values only when it has at least
// this many of them. Keeping the ranges of 90% of the samples clips about
// 10% / n of the values when a sample holds n of them: over 0.3% below 32,
// more than any other calibrator here clips.
constexpr int64_t kMinSampleValues = 32;

// Runs `interp` (whose observer does the work) over the calibration rows in
// batches, with a progress bar; `inputs` sees each batch's inputs first.
// Returns the number of rows.
int64_t run_calibration_rows(const ir::Graph& g, const data::Dataset& calib, const PtqOptions& o, const char* label,
                             runtime::Interpreter& interp,
                             const std::function<void(const std::vector<Tensor>&)>& inputs) {
  runtime::SampleFeed feed(g, data::named_arrays(calib), o.calib_batch, {}, {calib.carry, calib.sequence});
  const std::vector<int64_t> rows = calibration_rows(calib, o);
  Progress bar(label, static_cast<int64_t>(rows.size()));
  const size_t chunk = static_cast<size_t>(feed.chunk());
  for (size_t b = 0; b < rows.size(); b += chunk) {
    const size_t e = std::min(rows.size(), b + chunk);
    const std::vector<Tensor> x = feed.inputs(rows, b, e);
    inputs(x);
    feed.keep_state(rows[b], interp.run(x));
    bar.advance(static_cast<int64_t>(e - b));
  }
  bar.finish();
  return static_cast<int64_t>(rows.size());
}

void add_channel_sums(const Tensor& t, std::vector<double>& sums, int64_t& count) {
  if (t.rank() < 2) return;
  const int64_t b = t.dim(0), c = t.dim(1), inner = t.numel() / std::max<int64_t>(1, b * c);
  sums.resize(static_cast<size_t>(c), 0.0);
  const float* d = t.data<float>();
  for (int64_t i = 0; i < b; ++i)
    for (int64_t ch = 0; ch < c; ++ch) {
      double s = 0;
      for (int64_t k = 0; k < inner; ++k) s += d[(i * c + ch) * inner + k];
      sums[ch] += s;
    }
  count += b * inner;
}
}  // namespace

CalibrationStats run_calibration(const ir::Graph& g, const QuantPlan& plan, const data::Dataset& calib,
                                 const PtqOptions& o) {
  const bool ema = o.calibration == Calibration::Ema;
  // mse_range is quadratic in the bins: one sample's histogram needs fewer
  // than the pooled one (512 bins still put a clipping edge every 1/512 of the
  // range, finer than int8's 256 steps).
  const int bins = o.calibration == Calibration::SampleMse ? 512 : 2048;
  std::map<ir::ValueId, std::unique_ptr<Observer>> obs;
  for (ir::ValueId v : plan.values) {
    if (plan.shared.count(v) || plan.fixed.count(v)) continue;
    if (ema)
      obs[v] = std::make_unique<MovingAverageMinMaxObserver>();
    else
      obs[v] = std::make_unique<HistogramObserver>(bins);
  }
  std::map<ir::ValueId, std::pair<std::vector<double>, int64_t>> sums;
  if (o.bias_correction)
    for (const auto& l : plan.layers) sums[l.input];
  // sample-mse: a value of which one sample holds only a few elements (a
  // classifier's logits, a detector's score) gives each sample no
  // distribution to fit a range to: its samples pool instead, as under `mse`
  // (a keyword head's one logit per window would otherwise be clipped at the
  // 90th percentile of the windows, cutting off the rare ones that matter).
  std::set<ir::ValueId> pooled;
  auto see = [&](ir::ValueId v, const Tensor& t) {
    if (t.numel() < kMinSampleValues) pooled.insert(v);
    if (auto it = obs.find(v); it != obs.end()) it->second->observe(t);
    if (auto it = sums.find(v); it != sums.end()) add_channel_sums(t, it->second.first, it->second.second);
  };
  runtime::Interpreter interp(g);
  interp.set_observer([&](const ir::Node& n, const std::vector<Tensor>& outs) {
    for (size_t i = 0; i < outs.size(); ++i) see(n.outputs[i], outs[i]);
  });
  // sample-mse: one sample per run, and each sample's histograms become a
  // range of their own before the next sample starts.
  const bool per_sample = o.calibration == Calibration::SampleMse;
  PtqOptions run_opts = o;
  if (per_sample) run_opts.calib_batch = 1;
  std::map<ir::ValueId, std::vector<Range>> sample_ranges;
  bool started = false;
  auto close_sample = [&]() {
    for (auto& [v, ob] : obs) {
      if (ob->empty() || pooled.count(v)) continue;
      sample_ranges[v].push_back(mse_range(static_cast<HistogramObserver&>(*ob)));
      ob = std::make_unique<HistogramObserver>(bins);
    }
  };
  const int64_t samples =
      run_calibration_rows(g, calib, run_opts, "calibrating", interp, [&](const std::vector<Tensor>& x) {
        if (per_sample && started) close_sample();
        started = true;
        for (size_t i = 0; i < x.size(); ++i) see(g.inputs[i], x[i]);
      });
  if (per_sample) close_sample();
  CalibrationStats st;
  st.samples = samples;
  for (auto& [v, ob] : obs) {
    if (per_sample && !pooled.count(v)) {
      ETCH_REQUIRE(!sample_ranges[v].empty(), InvalidInput)
          << "activation '" << g.value(v).name << "' had no finite value on the calibration data";
      st.ranges[v] = sample_quantile_range(sample_ranges[v]);
      continue;
    }
    ETCH_REQUIRE(!ob->empty(), InvalidInput)
        << "activation '" << g.value(v).name << "' had no finite value on the calibration data";
    if (ema)
      st.ranges[v] = ob->range();
    else if (per_sample)  // pooled
      st.ranges[v] = mse_range(static_cast<HistogramObserver&>(*ob));
    else
      st.ranges[v] = calibrate(static_cast<HistogramObserver&>(*ob), o.calibration, o.percentile);
  }
  for (auto& [v, s] : sums) {
    std::vector<double> mean = s.first;
    for (double& m : mean) m /= static_cast<double>(std::max<int64_t>(1, s.second));
    st.channel_means[v] = mean;
  }
  return st;
}

std::map<ir::ValueId, std::vector<double>> channel_absmax(const ir::Graph& g, const std::vector<ir::ValueId>& values,
                                                          const data::Dataset& calib, const PtqOptions& o) {
  std::map<ir::ValueId, std::vector<double>> out;
  for (ir::ValueId v : values) out[v];
  runtime::Interpreter interp(g);
  interp.set_observer([&](const ir::Node& n, const std::vector<Tensor>& outs) {
    for (size_t i = 0; i < outs.size(); ++i) {
      auto it = out.find(n.outputs[i]);
      const Tensor& t = outs[i];
      if (it == out.end() || t.rank() < 2 || t.dtype() != DType::F32) continue;
      const int64_t b = t.dim(0), c = t.dim(1), inner = t.numel() / std::max<int64_t>(1, b * c);
      std::vector<double>& m = it->second;
      m.resize(static_cast<size_t>(c), 0.0);
      const float* d = t.data<float>();
      for (int64_t s = 0; s < b; ++s)
        for (int64_t ch = 0; ch < c; ++ch)
          for (int64_t k = 0; k < inner; ++k)
            m[ch] = std::max(m[ch], static_cast<double>(std::fabs(d[(s * c + ch) * inner + k])));
    }
  });
  run_calibration_rows(g, calib, o, "equalizing", interp, [](const std::vector<Tensor>&) {});
  return out;
}

}  // namespace etch::quant
