// Importance scores for pruning, per weight element and per output channel.
//   magnitude: |w|; a channel scores the L1 norm of its weights, times
//     |gamma|/sqrt(var+eps) of a BatchNorm that follows (the folded weight).
//   taylor: first-order Taylor expansion of the loss change when a weight is
//     zeroed, |w · dL/dw|, averaged over batches of real gradients (task loss,
//     inference-mode BatchNorm so scoring does not move running statistics).
//     A channel scores |sum of w · dL/dw over its parameters| per batch: its
//     weights and bias, or, when a BatchNorm follows, gamma·dL/dgamma +
//     beta·dL/dbeta (= the change from zeroing the BatchNorm output, which is
//     what removing the channel does). Averaged over batches, as in Molchanov
//     et al. (2019) with |·| in place of (·)².
#pragma once
#include <vector>

#include "etch/compress/layers.h"
#include "etch/data/dataset.h"
#include "etch/train/autodiff.h"

namespace etch::compress {

struct Scores {
  std::vector<Tensor> element;               // per layer, f32, shape of its weight
  std::vector<std::vector<double>> channel;  // per layer, per output channel
};

Scores magnitude_scores(const ir::Graph& g, const std::vector<Layer>& layers);

// Accumulates Taylor scores from the gradients an Autodiff holds after
// backward(): used for one-shot scoring and inside fine-tuning hooks.
class TaylorAccumulator {
 public:
  TaylorAccumulator(const ir::Graph& g, std::vector<Layer> layers);
  void add(train::Autodiff& ad);  // one batch
  int64_t batches() const { return batches_; }
  Scores scores() const;  // averages over the batches added
  void reset();

 private:
  std::vector<Layer> layers_;
  Scores sum_;
  int64_t batches_ = 0;
};

// Runs `batches` seeded, shuffled batches of `data` through g (no update) and
// returns the Taylor scores. g is not changed.
Scores taylor_scores(ir::Graph& g, const std::vector<Layer>& layers, const data::Dataset& data, int64_t batches,
                     int64_t batch_size, uint64_t seed);

}  // namespace etch::compress
