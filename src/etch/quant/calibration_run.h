// Runs the prepared float graph over calibration images and turns what the
// observers saw into ranges, one per quantized activation of a QuantPlan.
#pragma once
#include <map>
#include <vector>

#include "etch/data/dataset.h"
#include "etch/quant/ptq.h"
#include "etch/quant/ptq_plan.h"

namespace etch::quant {

struct CalibrationStats {
  std::map<ir::ValueId, Range> ranges;                       // calibrated (not shared/fixed) plan values
  std::map<ir::ValueId, std::vector<double>> channel_means;  // inputs of weighted layers, per channel (axis 1)
  int64_t samples = 0;
};

// The calibration rows: all of `calib` when it holds at most calib_samples
// images, else calib_samples rows drawn without replacement with opts.seed
// (streaming data: whole sequences in a seeded order, each in time order).
std::vector<int64_t> calibration_rows(const data::Dataset& calib, const PtqOptions& opts);

CalibrationStats run_calibration(const ir::Graph& g, const QuantPlan& plan, const data::Dataset& calib,
                                 const PtqOptions& opts);

// Per-channel (axis 1) absolute maximum of each of `values` over the
// calibration rows (cross_layer_equalization.h).
std::map<ir::ValueId, std::vector<double>> channel_absmax(const ir::Graph& g, const std::vector<ir::ValueId>& values,
                                                          const data::Dataset& calib, const PtqOptions& opts);

}  // namespace etch::quant
