// Fidelity of a model against a reference on data without labels (etch
// validate / deploy): per output, the SQNR in dB of the test model's output
// against the reference's, the largest absolute difference and, for
// classifier-shaped outputs ([N, K] with K > 1 after dropping size-1 axes), the
// fraction of samples whose arg-max agrees; for probability-shaped outputs (one
// value per sample, every reference value in [0, 1], e.g. a VAD's speech
// probability per frame or a wake-word score) the fraction of samples decided
// alike at the 0.5 threshold.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "etch/core/tensor.h"
#include "etch/data/dataset.h"
#include "etch/ir/graph.h"

namespace etch::eval {

struct OutputFidelity {
  std::string output;
  Shape shape;         // the reference output over every sample
  double sqnr_db = 0;  // 10·log10(Σ ref² / Σ (ref − test)²); +inf when identical
  double max_abs_diff = 0;
  std::optional<double> top1_agreement;      // classifier-shaped outputs only
  std::optional<double> decision_agreement;  // probability-shaped outputs only: (ref > 0.5) == (test > 0.5)
};

// ref[i] and test[i] are output i over the same samples (first axis = samples).
// InvalidInput naming the output when the shapes differ.
std::vector<OutputFidelity> compare_outputs(const std::vector<std::string>& names, const std::vector<Tensor>& ref,
                                            const std::vector<Tensor>& test);

// Runs both graphs (same input and output names) on the first `samples`
// samples of ds (all when <= 0) through runtime::SampleFeed and compares their
// outputs in the reference's output order.
std::vector<OutputFidelity> run_fidelity(const ir::Graph& reference, const ir::Graph& test, const data::Dataset& ds,
                                         int64_t batch, int64_t samples = 0);

nlohmann::json fidelity_json(const std::vector<OutputFidelity>& f);

}  // namespace etch::eval
