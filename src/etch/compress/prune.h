// Pruning as one library call: score (magnitude or Taylor), prune (masks,
// channel surgery or N:M), optionally fine-tune through train::fit with the
// masks re-applied after every optimizer step, and measure. Used by
// `etch prune` and `etch deploy`.
//
//   compress::PruneOptions o = compress::parse_prune_spec("taylor:channel:0.5");
//   o.finetune_epochs = 2;
//   compress::PruneResult r = compress::prune(graph, o, &train_set, &test_set);
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "etch/compress/prune_options.h"
#include "etch/data/dataset.h"
#include "etch/ir/graph.h"
#include "etch/train/trainer.h"

namespace etch::compress {

struct LayerReport {
  std::string name, op;
  int64_t params_before = 0, params_after = 0;  // weight + bias elements
  int64_t macs_before = 0, macs_after = 0;      // per sample
  double sparsity = 0;                          // zero fraction of the weight after pruning
  std::string note;                             // why skipped / tied layers
};

struct PruneResult {
  std::vector<LayerReport> layers;
  int64_t params_before = 0, params_after = 0, macs_before = 0, macs_after = 0;
  double weight_sparsity = 0;                                   // zeros among all prunable weights after pruning
  double acc_before = -1, acc_pruned = -1, acc_finetuned = -1;  // -1: not measured
  // Data without labels: the pruned model's outputs against the unpruned
  // model's (SQNR, dB) on the evaluation data, else the training data.
  std::optional<double> sqnr_pruned_db, sqnr_finetuned_db;
  std::vector<std::string> warnings;  // also logged with log_warn
  train::TrainResult finetune;
};

// Prunes g in place (channel pruning replaces it by the smaller dense graph
// with the same inputs and outputs). `train` is needed for Taylor scores and
// fine-tuning, `eval` for the accuracies (either may be null otherwise).
// Training data without labels fine-tunes by self-distillation: the pruned
// model learns to reproduce the unpruned model's outputs (train/output_matching.h)
// and the accuracies give way to the outputs' SQNR against the unpruned model.
// Throws InvalidInput for bad options, a model without a prunable layer, or an
// N:M whose M does not divide a layer's input channels (naming the layer).
PruneResult prune(ir::Graph& g, const PruneOptions& o, const data::Dataset* train, const data::Dataset* eval);

// The fine-tuning recipe prune() uses: Adam, cosine decay from o.lr, o.batch_size.
train::TrainConfig prune_finetune_config(const PruneOptions& o);

}  // namespace etch::compress
