// Channel pruning: remove whole output channels (and the inputs they feed),
// leaving a smaller dense graph. Channels tied by a residual Add are pruned
// together, or skipped with --tied skip.
#include "etch/compress/channel_flow.h"
#include "etch/compress/prune_strategy.h"

namespace etch::compress {
namespace {

class ChannelStrategy : public PruneStrategy {
 public:
  void prepare(PruneState& st) override {
    plan_ = plan_channels(st.g, st.layers);
    if (st.o.tied == TiedChannels::Skip) skip_tied_groups(plan_, st.layers);
    note_skipped(st);
    note_tied(st);
  }
  void prune_now(PruneState& st, const Scores& s) override {
    keep_ = select_channels(st.layers, plan_, s, st.o.sparsity, st.o.scope, st.o.min_channels);
    remove_now(st);
  }
  // During fine-tuning the channels are only masked; the graph keeps its shapes
  // (the optimizer holds its tensors) until finish().
  void prune_step(PruneState& st, const Scores& s, double sparsity) override {
    keep_ = select_channels(st.layers, plan_, s, sparsity, st.o.scope, st.o.min_channels);
    masks_ = channel_masks(st.g, st.layers, plan_, keep_);
    apply_masks(st.g, masks_);
  }
  void finish(PruneState& st) override { remove_now(st); }

 private:
  void remove_now(PruneState& st) {
    remove_channels(st.g, st.layers, plan_, keep_);
    st.layers = find_layers(st.g);
  }

  void note_skipped(PruneState& st) {
    std::string reasons;
    for (const auto& [li, why] : plan_.skipped) {
      const Layer& l = st.layers[li];
      reasons += (reasons.empty() ? "" : "; ") + l.name + ": " + why;
      st.r.layers[li].note = l.depthwise() ? why : "skipped: " + why;
      const bool expected = why.find("model output") != std::string::npos || l.depthwise();
      if (!expected) st.warn("channel pruning skips layer '" + l.name + "': " + why);
    }
    ETCH_REQUIRE(!plan_.groups.empty(), InvalidInput)
        << "model '" << st.g.name << "' has no prunable layer for channel pruning (" << reasons << ")";
  }

  void note_tied(PruneState& st) {
    for (const auto& grp : plan_.groups)
      if (grp.layers.size() > 1) {
        std::string names;
        for (int li : grp.layers) names += (names.empty() ? "" : ", ") + st.layers[li].name;
        for (int li : grp.layers) st.r.layers[li].note = "tied: " + names;
      }
  }

  ChannelPlan plan_;
  std::vector<std::vector<int64_t>> keep_;
};

}  // namespace

std::unique_ptr<PruneStrategy> make_channel_strategy() { return std::make_unique<ChannelStrategy>(); }

std::unique_ptr<PruneStrategy> make_prune_strategy(Structure s) {
  switch (s) {
    case Structure::Channel:
      return make_channel_strategy();
    case Structure::NM:
      return make_nm_strategy();
    case Structure::Unstructured:
      break;
  }
  return make_unstructured_strategy();
}

}  // namespace etch::compress
