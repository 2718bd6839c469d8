#include "etch/compress/prune.h"

#include <algorithm>
#include <functional>
#include <memory>

#include "etch/compress/channel_flow.h"
#include "etch/compress/criteria.h"
#include "etch/compress/masks.h"
#include "etch/compress/prune_strategy.h"
#include "etch/core/log.h"
#include "etch/ir/cost.h"
#include "etch/train/output_matching.h"

namespace etch::compress {

namespace {
int64_t numel_of(const ir::Graph& g, ir::ValueId v) { return v == ir::kNoValue ? 0 : g.value(v).data->numel(); }

int64_t zeros_of(const Tensor& t) {
  int64_t z = 0;
  for (int64_t i = 0; i < t.numel(); ++i) z += t.data<float>()[i] == 0.0f;
  return z;
}

std::vector<int64_t> node_macs(const ir::Graph& g, const std::vector<Layer>& layers) {
  const ir::GraphCost cost = ir::graph_cost(g);
  std::vector<int64_t> out;
  for (const Layer& l : layers) {
    int64_t m = 0;
    for (size_t i = 0; i < g.nodes().size(); ++i)
      if (g.nodes()[i].id == l.node) m = cost.nodes[i].macs;
    out.push_back(m);
  }
  return out;
}

int64_t steps_per_epoch(const data::Dataset& d, const train::TrainConfig& c) {
  int64_t s = d.size() / c.batch_size;
  if (c.max_steps_per_epoch > 0) s = std::min(s, c.max_steps_per_epoch);
  return s;
}
}  // namespace

train::TrainConfig prune_finetune_config(const PruneOptions& o) {
  train::TrainConfig c;
  c.epochs = o.finetune_epochs;
  c.batch_size = o.batch_size;
  c.optimizer.kind = "adam";
  c.optimizer.lr = o.lr;
  c.optimizer.weight_decay = 0;
  c.schedule.kind = "cosine";
  c.seed = o.seed;
  c.max_steps_per_epoch = o.finetune_max_steps;
  c.progress = o.progress;
  return c;
}

namespace {

// The layer table before pruning (params, MACs per layer).
void report_before(const ir::Graph& g, const std::vector<Layer>& layers, PruneResult& r) {
  const ir::GraphCost cost0 = ir::graph_cost(g);
  r.params_before = cost0.params;
  r.macs_before = cost0.macs;
  const auto macs0 = node_macs(g, layers);
  for (size_t i = 0; i < layers.size(); ++i) {
    LayerReport lr;
    lr.name = layers[i].name;
    lr.op = layers[i].op;
    lr.params_before = numel_of(g, layers[i].weight) + numel_of(g, layers[i].bias);
    lr.macs_before = macs0[i];
    r.layers.push_back(lr);
  }
}

// The layer table after pruning: params, MACs and zero fraction per layer.
void report_after(const ir::Graph& g, const std::vector<Layer>& layers, PruneResult& r) {
  const ir::GraphCost cost1 = ir::graph_cost(g);
  r.params_after = cost1.params;
  r.macs_after = cost1.macs;
  ETCH_CHECK(layers.size() == r.layers.size()) << "pruning changed the number of layers";
  const auto macs1 = node_macs(g, layers);
  int64_t zeros = 0, total_w = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    const Tensor& w = *g.value(layers[i].weight).data;
    r.layers[i].params_after = w.numel() + numel_of(g, layers[i].bias);
    r.layers[i].macs_after = macs1[i];
    const int64_t z = zeros_of(w);
    r.layers[i].sparsity = w.numel() ? static_cast<double>(z) / static_cast<double>(w.numel()) : 0.0;
    zeros += z;
    total_w += w.numel();
  }
  r.weight_sparsity = total_w ? static_cast<double>(zeros) / static_cast<double>(total_w) : 0.0;
}

// Fine-tuning with the masks kept at zero after every step; with the
// polynomial schedule the strategy prunes at each schedule step (Taylor scores
// accumulated online since the previous one).
void finetune(PruneState& st, PruneStrategy& strategy, const data::Dataset& train, const ir::Graph* teacher,
              const std::function<Scores()>& score) {
  const PruneOptions& o = st.o;
  ir::Graph& g = st.g;
  const bool gradual = o.schedule.kind == "polynomial";
  train::TrainConfig cfg = prune_finetune_config(o);
  const int64_t total = steps_per_epoch(train, cfg) * cfg.epochs;
  const int64_t end =
      o.schedule.end_step >= 0 ? o.schedule.end_step : std::max(o.schedule.begin_step + 1, total * 2 / 3);
  if (gradual) {
    ETCH_REQUIRE(end < total, InvalidInput)
        << "--end-step " << end << " is not before the end of fine-tuning (" << total
        << " steps, numbered from 0): the final sparsity would never be reached (add epochs or lower --end-step)";
    ETCH_REQUIRE(o.schedule.begin_step < end, InvalidInput)
        << "--begin-step " << o.schedule.begin_step << " must come before the end step " << end;
  }
  Scores initial;
  if (gradual && o.criterion == Criterion::Taylor) initial = score();
  TaylorAccumulator online(g, st.layers);
  cfg.before_step = [&](train::Autodiff&, int64_t t) {
    if (!gradual || !o.schedule.update_at(t, end)) return;
    const double s = o.schedule.sparsity_at(t, o.sparsity, end);
    Scores sc = o.criterion == Criterion::Magnitude ? magnitude_scores(g, st.layers)
                : online.batches() > 0              ? online.scores()
                                                    : initial;
    online.reset();
    strategy.prune_step(st, sc, s);
  };
  cfg.after_step = [&](train::Autodiff& ad, int64_t) {
    if (!strategy.masks().empty()) apply_masks(g, strategy.masks());
    if (gradual && o.criterion == Criterion::Taylor) online.add(ad);
  };
  st.r.finetune = teacher ? train::fit_outputs(g, *teacher, train, nullptr, cfg) : train::fit(g, train, nullptr, cfg);
  if (gradual) strategy.finish(st);
}

}  // namespace

PruneResult prune(ir::Graph& g, const PruneOptions& o, const data::Dataset* train, const data::Dataset* eval) {
  validate(o);
  std::vector<Layer> layers = find_layers(g);
  ETCH_REQUIRE(!layers.empty(), InvalidInput)
      << "model '" << g.name << "' has no prunable layer (a Conv, Gemm or MatMul with a constant float weight)";
  ETCH_REQUIRE(train || (o.criterion != Criterion::Taylor && o.finetune_epochs == 0), InvalidInput)
      << "Taylor scores and fine-tuning need a training data set (--data)";
  const bool self_distill = train && !train->has_labels();
  ETCH_REQUIRE(!self_distill || o.criterion != Criterion::Taylor, InvalidInput)
      << "Taylor scores need labels (|w·dL/dw| of the classification loss) and data set '" << train->name
      << "' has none; use --criterion magnitude (fine-tuning then matches the unpruned model's outputs)";
  // Self-distillation's teacher: the model as it was before pruning.
  std::optional<ir::Graph> teacher;
  if (self_distill) teacher = train::deep_copy(g);
  const data::Dataset* fidelity_data = eval ? eval : train;
  const bool labelled_eval = eval && eval->has_labels();
  PruneResult r;
  report_before(g, layers, r);
  PruneState st{g, layers, o, r, [&r](const std::string& m) {
                  r.warnings.push_back(m);
                  log_warn(m);
                }};
  if (labelled_eval) r.acc_before = train::evaluate_accuracy(g, *eval);

  const std::function<Scores()> score = [&]() {
    return o.criterion == Criterion::Taylor
               ? taylor_scores(g, layers, *train, o.taylor_batches, o.taylor_batch_size, o.seed)
               : magnitude_scores(g, layers);
  };
  const bool gradual = o.schedule.kind == "polynomial";
  const std::unique_ptr<PruneStrategy> strategy = make_prune_strategy(o.structure);
  strategy->prepare(st);
  if (!gradual) strategy->prune_now(st, score());
  if (labelled_eval && !gradual) r.acc_pruned = train::evaluate_accuracy(g, *eval);
  if (teacher && !gradual) r.sqnr_pruned_db = train::output_sqnr_db(g, *teacher, *fidelity_data);

  if (o.finetune_epochs > 0) {
    finetune(st, *strategy, *train, teacher ? &*teacher : nullptr, score);
    if (labelled_eval) r.acc_finetuned = train::evaluate_accuracy(g, *eval);
    if (teacher) r.sqnr_finetuned_db = train::output_sqnr_db(g, *teacher, *fidelity_data);
  }
  report_after(g, layers, r);
  return r;
}

}  // namespace etch::compress
