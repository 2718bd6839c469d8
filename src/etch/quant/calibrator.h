// Calibrators: choose the range to quantize an activation to from observed
// statistics. Clipping a few outliers usually lowers the total error, because
// the int8 step for the bulk of the values shrinks with the range.
#pragma once
#include <string_view>
#include <vector>

#include "etch/quant/observer.h"

namespace etch::quant {

// Ema: PyTorch's moving-average min-max (MovingAverageMinMaxObserver over the
// calibration batches); it needs that observer, not a histogram, so calibrate()
// below does not accept it (quant/ptq.cc keeps one per activation).
//
// SampleMse (the default): mse_range on each calibration sample alone, then
// the range that covers 90% of the samples (sample_quantile_range). A few
// inputs can drive a real model's activations 10-100x past their usual size
// (three upscaled face crops among 320 photographs in BlazeFace's last stage);
// pooled over all values, mse widens the range for them and every other
// input loses resolution. Per sample, they are outvoted.
enum class Calibration { MinMax, Percentile, Entropy, Mse, Ema, SampleMse };

// "minmax", "percentile", "entropy", "mse", "ema", "sample-mse"; InvalidInput
// listing them otherwise.
Calibration parse_calibration(std::string_view name);
const char* calibration_name(Calibration c);

// Both tails of the histogram: [value at rank (1 − p/100)·N, value at rank
// (p/100)·N], interpolated linearly inside a bin and clamped to the observed
// min/max. p in [50, 100]; p = 100 gives the min-max range.
Range percentile_range(const HistogramObserver& h, double percentile = 99.99);

// TensorRT's entropy calibration (Migacz, "8-bit Inference with TensorRT",
// GTC 2017, as implemented in MXNet/ONNX Runtime): fold the histogram into one
// of |x| (≤ bins() bins), and for every candidate threshold t (from
// quantized_bins bins to all of them) compare the reference distribution P
// (clipped, outliers added to the last bin) with Q (P's bins merged into
// quantized_bins levels and expanded back); pick the t minimising KL(P‖Q).
// The result is [max(min, −t), min(max, t)].
//
// quantized_bins = 0 chooses: 128 when the data has both signs, since the
// asymmetric int8 grid then spends about half its 256 levels on each side of
// 0 (TensorRT's symmetric choice, for the same reason); 256 when the data is
// one-signed (e.g. after ReLU), where all 256 levels cover [0, t].
Range entropy_range(const HistogramObserver& h, int quantized_bins = 0);

// Minimum expected squared quantization error over clipping ranges [lo, hi]
// whose ends are histogram bin edges (lo ≤ 0 ≤ hi, as the int8 grid always
// contains 0). Error model per value x, with the histogram's bin centres for
// x: (hi − lo)²/255²/12 (uniform rounding noise) inside, (x − clamp(x))²
// outside. Exhaustive over all edge pairs with prefix sums (O(bins²)).
Range mse_range(const HistogramObserver& h);

// The range covering fraction q of per-sample ranges: the q-quantile of their
// upper ends and the (1 - q)-quantile of their lower ends (nearest rank, on
// sorted copies). Empty input gives {0, 0}.
Range sample_quantile_range(const std::vector<Range>& per_sample, double q = 0.9);

// Dispatch; MinMax uses the observer's exact range; SampleMse is mse_range
// (what it does to one sample's histogram).
Range calibrate(const HistogramObserver& h, Calibration method, double percentile = 99.99);

}  // namespace etch::quant
