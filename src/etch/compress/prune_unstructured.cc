// Unstructured pruning: zero the lowest-scoring individual weights.
#include "etch/compress/prune_strategy.h"

namespace etch::compress {
namespace {

class UnstructuredStrategy : public PruneStrategy {
 public:
  void prune_now(PruneState& st, const Scores& s) override { prune_step(st, s, st.o.sparsity); }
  void prune_step(PruneState& st, const Scores& s, double sparsity) override {
    masks_ = unstructured_masks(st.layers, s, sparsity, st.o.scope, st.o.min_channels);
    apply_masks(st.g, masks_);
  }
};

}  // namespace

std::unique_ptr<PruneStrategy> make_unstructured_strategy() { return std::make_unique<UnstructuredStrategy>(); }

}  // namespace etch::compress
