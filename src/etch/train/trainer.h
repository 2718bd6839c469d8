// The training loop: seeded batches, forward/backward through Autodiff, an
// optimizer step, hooks (pruning masks, QAT), per-epoch evaluation on a held-out
// split, and a callback when the held-out accuracy improves (the CLI saves the
// best checkpoint there; train/ does not write ONNX itself).
#pragma once
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "etch/data/loader.h"
#include "etch/ir/graph.h"
#include "etch/train/autodiff.h"
#include "etch/train/loss.h"
#include "etch/train/optimizer.h"

namespace etch::train {

struct EpochStats {
  int epoch = 0;                                        // 1-based
  double train_loss = 0, train_acc = 0, eval_acc = -1;  // eval_acc -1: no eval set
  double images_per_sec = 0, seconds = 0;
  float lr_end = 0;
  // Output matching (output_matching.h): SQNR of the outputs against the teacher's, dB.
  std::optional<double> eval_sqnr_db;
};

struct TrainConfig {
  int epochs = 5;
  int64_t batch_size = 128;
  OptimizerConfig optimizer;
  LrSchedule schedule;
  double warmup_epochs = 0;  // converted to steps
  float label_smoothing = 0;
  data::TransformOptions augment;
  uint64_t seed = 1;
  int64_t eval_batch = 500;
  int64_t max_steps_per_epoch = 0;  // 0 = the whole epoch (tests use a few)
  bool progress = true;             // progress line on stderr (when it is a terminal)
  std::set<std::string> frozen;     // constants not to train
  // Replaces the default cross-entropy (distillation). Gets the student logits.
  std::function<LossResult(const Tensor& logits, const data::Batch& batch)> loss;
  std::function<void(Autodiff&, int64_t step)> after_step;   // e.g. re-apply masks
  std::function<void(Autodiff&, int64_t step)> before_step;  // e.g. update sparsity schedule
  std::function<void(const ir::Graph&, const EpochStats&)> on_best;
  std::function<void(const EpochStats&)> on_epoch;
};

struct TrainResult {
  std::vector<EpochStats> epochs;
  double best_eval_acc = -1;
  int best_epoch = 0;
  double seconds = 0;
  std::optional<double> best_sqnr_db;  // output matching: the best epoch's SQNR, dB
};

// Trains g in place. Throws InvalidInput when the loss becomes NaN/Inf (naming
// epoch and step; whatever on_best saved is kept), or when the data does not fit
// the model.
TrainResult fit(ir::Graph& g, const data::Dataset& train, const data::Dataset* eval, const TrainConfig& cfg);

// Top-1 accuracy of the graph (inference mode) on a data set.
double evaluate_accuracy(const ir::Graph& g, const data::Dataset& d, int64_t batch = 500);

}  // namespace etch::train
