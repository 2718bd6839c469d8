// N:M pruning: keep the N highest-scoring of every M consecutive input
// channels. The pattern is fixed, so only the constant schedule applies
// (validate() rejects a gradual one).
#include "etch/compress/prune_strategy.h"

namespace etch::compress {
namespace {

class NMStrategy : public PruneStrategy {
 public:
  void prune_now(PruneState& st, const Scores& s) override {
    const PruneOptions& o = st.o;
    std::vector<std::string> skipped;
    masks_ = nm_masks(st.layers, s, o.n, o.m, &skipped);
    ETCH_REQUIRE(!masks_.empty(), InvalidInput)
        << "model '" << st.g.name << "' has no prunable layer for " << o.n << ":" << o.m
        << " pruning (every layer has fewer than " << o.m << " input channels)";
    for (size_t i = 0; i < st.layers.size(); ++i)
      if (!masks_.count(st.layers[i].weight))
        st.r.layers[i].note = "skipped: fewer than " + std::to_string(o.m) + " input channels";
    apply_masks(st.g, masks_);
  }
  void prune_step(PruneState&, const Scores&, double) override {
    ETCH_CHECK(false) << "N:M pruning has no gradual schedule";
  }
};

}  // namespace

std::unique_ptr<PruneStrategy> make_nm_strategy() { return std::make_unique<NMStrategy>(); }

}  // namespace etch::compress
