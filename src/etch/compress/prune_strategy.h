// One pruning strategy per structure (unstructured, channel, N:M), behind the
// interface prune() drives: it scores, then either prunes at once or, with a
// gradual schedule, asks for the masks at each sparsity step while
// fine-tuning. A new structure is a new prune_<structure>.cc and one line in
// make_prune_strategy.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "etch/compress/criteria.h"
#include "etch/compress/layers.h"
#include "etch/compress/masks.h"
#include "etch/compress/prune.h"

namespace etch::compress {

// What a strategy works on. `layers` is re-found when a strategy changes the
// graph's shapes (channel surgery).
struct PruneState {
  ir::Graph& g;
  std::vector<Layer>& layers;
  const PruneOptions& o;
  PruneResult& r;
  std::function<void(const std::string&)> warn;  // recorded in r.warnings and logged
};

class PruneStrategy {
 public:
  virtual ~PruneStrategy() = default;
  // Before any score is computed: which layers take part (notes in r.layers),
  // InvalidInput when none can.
  virtual void prepare(PruneState&) {}
  // Prunes once at o.sparsity (constant schedule).
  virtual void prune_now(PruneState& st, const Scores& s) = 0;
  // Gradual schedule: the masks for sparsity `sparsity`, applied to the graph.
  virtual void prune_step(PruneState& st, const Scores& s, double sparsity) = 0;
  // After gradual fine-tuning: make the final masks permanent.
  virtual void finish(PruneState&) {}
  // Re-applied after every fine-tuning step (empty: nothing to keep at zero).
  const MaskSet& masks() const { return masks_; }

 protected:
  MaskSet masks_;
};

std::unique_ptr<PruneStrategy> make_unstructured_strategy();
std::unique_ptr<PruneStrategy> make_channel_strategy();
std::unique_ptr<PruneStrategy> make_nm_strategy();
std::unique_ptr<PruneStrategy> make_prune_strategy(Structure s);

}  // namespace etch::compress
