// One pass over a data set with several executors on the same batches:
// classification metrics per executor, agreement and logit differences for
// every pair, and a per-batch hook for layer-level comparisons (SQNR), so the
// data set is read and each model run exactly once.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "etch/data/dataset.h"
#include "etch/eval/executor.h"
#include "etch/eval/metrics.h"

namespace etch::eval {

struct EvalOptions {
  int64_t batch = 100;
  std::string progress_label = "validate";
};

struct ExecutorEval {
  std::string name;
  ClassificationSummary metrics;
  double host_seconds = 0;  // wall time spent in run() (not reproducible; kept out of reports)
};

struct PairAgreement {
  std::string a, b;
  Agreement agreement;
};

struct Evaluation {
  std::string data_spec;
  int64_t images = 0;
  std::vector<std::string> class_names;
  std::vector<ExecutorEval> executors;
  std::vector<PairAgreement> pairs;                                             // (i, j) for i < j, in executor order
  const PairAgreement* pair(const std::string& a, const std::string& b) const;  // either order; null if absent
};

// Called after every executor ran on images [begin, end).
using BatchHook = std::function<void(int64_t begin, int64_t end)>;

// Throws InvalidInput if the data set is empty or an executor's scores do not
// have one column per class of the data set.
Evaluation evaluate(const data::Dataset& ds, const std::vector<Executor*>& executors, const EvalOptions& opts = {},
                    const BatchHook& hook = {});

}  // namespace etch::eval
