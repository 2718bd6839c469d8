#include "etch/quant/qat.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "etch/ir/op_registry.h"
#include "etch/ir/ops/qint_ops.h"
#include "etch/passes/pipeline.h"
#include "etch/quant/calibration_run.h"
#include "etch/quant/fake_quant_op.h"
#include "etch/quant/ptq_emit.h"
#include "etch/quant/qparams.h"
#include "etch/runtime/interpreter.h"
#include "etch/train/output_matching.h"

namespace etch::quant {

namespace {

struct ActFq {
  ir::ValueId v, scale, zero;
  Range range;
};
struct WeightFq {
  ir::ValueId w, scale;
  int qmax;
};

ir::ValueId add_fq(ir::Graph& g, ir::ValueId x, Tensor s, Tensor z, int lo, int hi, int axis, ir::ValueId* scale_id,
                   ir::ValueId* zero_id) {
  const std::string base = g.value(x).name;
  *scale_id = g.add_constant(g.unique_name(base + "_fqs"), std::move(s));
  *zero_id = g.add_constant(g.unique_name(base + "_fqz"), std::move(z));
  const ir::ValueId y = g.add_value(g.unique_name(base + "_fq"), DType::F32, g.value(x).shape, g.value(x).has_shape);
  std::map<std::string, ir::Attribute> attrs{{"quant_min", int64_t{lo}}, {"quant_max", int64_t{hi}}};
  if (axis >= 0) attrs["axis"] = int64_t{axis};
  g.add_node(kFakeQuantize, {x, *scale_id, *zero_id}, {y}, g.value(y).name, attrs, ir::kEtchDomain);
  return y;
}

void write_act_params(ir::Graph& g, const ActFq& a) {
  const QuantParams p = activation_params(a.range, g.value(a.v).name);
  g.value(a.scale).data->data<float>()[0] = p.scales[0];
  g.value(a.zero).data->data<float>()[0] = static_cast<float>(p.zero_points[0]);
}

// Same rule as qparams.h weight_params, written into the scale tensor in place.
void write_weight_scales(ir::Graph& g, const WeightFq& f) {
  const Tensor& w = *g.value(f.w).data;
  Tensor& s = *g.value(f.scale).data;
  const int64_t c = s.numel(), per = w.numel() / c;
  for (int64_t k = 0; k < c; ++k) {
    float m = 0;
    for (int64_t i = k * per; i < (k + 1) * per; ++i) m = std::max(m, std::fabs(w.data<float>()[i]));
    const float sc = m / static_cast<float>(f.qmax);
    s.data<float>()[k] = std::isnormal(sc) ? sc : 1.0f;
  }
}

struct FakeQuantized {
  std::vector<ActFq> acts;  // observed (not fixed) activations
  std::vector<WeightFq> weights;
};

// Puts FakeQuantize nodes on the activations `plan` quantizes and on the
// weights of its layers. `g` is either the prepared graph the plan was made on
// or the same graph with BatchNorm not yet folded; values and layers are
// matched by name, which BatchNorm folding keeps (the Conv takes over the
// BatchNorm's output value). Per-channel weight fake quantization is the same
// on unfolded weights as on folded ones: folding scales each output channel.
FakeQuantized insert_fake_quant(ir::Graph& g, const ir::Graph& prepared, const QuantPlan& plan,
                                const CalibrationStats& stats, const PtqOptions& o) {
  FakeQuantized fq;
  for (ir::ValueId pv : plan.values) {
    if (plan.shared.count(pv)) continue;  // data movement of values already on the grid
    const auto found = g.find_value(prepared.value(pv).name);
    if (!found) continue;
    const ir::ValueId v = *found;
    const std::vector<ir::NodeId> users = g.consumers(v);
    const bool fixed = plan.fixed.count(pv) != 0;
    QuantParams p = fixed ? plan.fixed.at(pv) : activation_params(stats.ranges.at(pv), g.value(v).name);
    ActFq a{v, ir::kNoValue, ir::kNoValue, fixed ? Range{} : stats.ranges.at(pv)};
    const ir::ValueId y =
        add_fq(g, v, Tensor::scalar<float>(p.scales[0]), Tensor::scalar<float>(static_cast<float>(p.zero_points[0])),
               -128, 127, -1, &a.scale, &a.zero);
    for (ir::NodeId u : users)
      for (auto& in : g.find_node(u)->inputs)
        if (in == v) in = y;
    if (std::find(g.outputs.begin(), g.outputs.end(), v) != g.outputs.end()) {
      const std::string name = g.value(v).name;
      g.value(v).name = g.unique_name(name + "_float");
      g.value(y).name = name;
      std::replace(g.outputs.begin(), g.outputs.end(), v, y);
    }
    if (!fixed) fq.acts.push_back(a);
  }
  for (const WeightedLayer& l : plan.layers) {
    const std::string& name = prepared.find_node(l.node)->name;
    const ir::Node* found = g.find_node_by_name(name);
    ETCH_CHECK(found) << "layer '" << name << "' missing from the QAT graph";
    const ir::NodeId id = found->id;
    const int bits = o.bits_per_layer.count(name) ? o.bits_per_layer.at(name) : o.weight_bits;
    const int qmax = bits == 4 ? 7 : 127;
    const ir::ValueId w = found->inputs[1];
    const int64_t c = o.per_channel ? g.value(w).data->dim(0) : 1;
    WeightFq f{w, ir::kNoValue, qmax};
    ir::ValueId zero;
    const ir::ValueId y = add_fq(g, w, o.per_channel ? Tensor(DType::F32, {c}) : Tensor::scalar<float>(1.0f),
                                 o.per_channel ? Tensor(DType::F32, {c}) : Tensor::scalar<float>(0.0f), -qmax, qmax,
                                 o.per_channel ? 0 : -1, &f.scale, &zero);
    g.find_node(id)->inputs[1] = y;
    write_weight_scales(g, f);
    fq.weights.push_back(f);
  }
  g.topological_sort();
  return fq;
}

// Samples per QAT step when QatOptions::batch_size is 0: a classifier's data
// sets are large; output matching usually runs on a few hundred calibration
// samples, where small steps give the optimizer enough of them per epoch.
constexpr int64_t kLabelledBatch = 128, kOutputMatchingBatch = 8;

// AdamW without weight decay; weight scales follow the weights before every
// step, activation ranges follow an EMA of each batch's min/max after it.
train::TrainConfig qat_config(ir::Graph& g, FakeQuantized& fq, const QatOptions& q, bool labelled) {
  train::TrainConfig cfg;
  cfg.epochs = q.epochs;
  cfg.batch_size = q.batch_size > 0 ? q.batch_size : labelled ? kLabelledBatch : kOutputMatchingBatch;
  cfg.optimizer.kind = "adamw";
  cfg.optimizer.lr = q.lr;
  cfg.optimizer.weight_decay = 0.0f;
  cfg.schedule.kind = "cosine";
  cfg.seed = q.seed;
  cfg.max_steps_per_epoch = q.max_steps_per_epoch;
  cfg.progress = q.progress;
  cfg.on_epoch = q.on_epoch;
  cfg.before_step = [&g, &fq](train::Autodiff&, int64_t) {
    for (const auto& f : fq.weights) write_weight_scales(g, f);
  };
  cfg.after_step = [&g, &fq, ema = q.ema](train::Autodiff& ad, int64_t) {
    for (auto& a : fq.acts) {
      const Tensor& t = ad.activation(a.v);
      const float* d = t.data<float>();
      float mn = INFINITY, mx = -INFINITY;
      for (int64_t i = 0; i < t.numel(); ++i)
        if (std::isfinite(d[i])) mn = std::min(mn, d[i]), mx = std::max(mx, d[i]);
      if (mn > mx) continue;
      a.range.min += ema * (mn - a.range.min);
      a.range.max += ema * (mx - a.range.max);
      write_act_params(g, a);
    }
  };
  return cfg;
}

// Copies every constant so training does not write into tensors shared with
// the caller's graph.
void own_storage(ir::Graph& g) {
  for (int v = 0; v < g.num_values(); ++v)
    if (g.value(v).data) g.value(v).data = g.value(v).data->clone();
}

bool has_batchnorm(const ir::Graph& g) {
  return std::any_of(g.nodes().begin(), g.nodes().end(),
                     [](const ir::Node& n) { return ir::has_trait(n, ir::OpTrait::kChannelAffine); });
}

// The first phase: q.freeze_bn_steps steps with BatchNorm unfolded and live
// (batch statistics, running statistics updated, scale and shift trained), at
// the constant learning rate, fake quantization on the same tensors as later.
// Returns the float graph with the trained parameters, to be folded.
ir::Graph train_with_live_batchnorm(const ir::Graph& float_graph, const ir::Graph& prepared, const QuantPlan& plan,
                                    const CalibrationStats& stats, const data::Dataset& train_set, const PtqOptions& o,
                                    const QatOptions& q) {
  std::vector<passes::Pass> unfolded;
  for (auto& p : passes::prepare_pipeline())
    if (p.name != "fold_batchnorm") unfolded.push_back(std::move(p));
  ir::Graph g = float_graph;
  passes::PassContext ctx;
  ctx.evaluate = runtime::run_node;
  passes::run_pipeline(g, unfolded, ctx);
  own_storage(g);
  FakeQuantized fq = insert_fake_quant(g, prepared, plan, stats, o);
  train::TrainConfig cfg = qat_config(g, fq, q, true);
  cfg.epochs = 1;
  cfg.max_steps_per_epoch = q.freeze_bn_steps;
  cfg.schedule.kind = "constant";
  cfg.on_epoch = nullptr;
  train::fit(g, train_set, nullptr, cfg);
  // Drop the FakeQuantize nodes again: each output back to its input (and
  // graph outputs back to their names).
  std::vector<ir::NodeId> fq_nodes;
  for (const auto& n : g.nodes()) {
    if (!is_fake_quantize(n)) continue;
    const ir::ValueId x = n.inputs[0], y = n.outputs[0];
    if (std::find(g.outputs.begin(), g.outputs.end(), y) != g.outputs.end()) {
      const std::string name = g.value(y).name;
      g.value(y).name = g.unique_name(name + "_fq");
      g.value(x).name = name;
    }
    g.replace_all_uses(y, x);
    fq_nodes.push_back(n.id);
  }
  g.remove_nodes(fq_nodes);
  return g;
}

// With labels the loss is the model's task loss (train::fit); without, the
// fake-quantized graph learns to reproduce `teacher`, the float model it was
// made from (train::fit_outputs, self-distillation), so detectors, decoders
// and any model without classes train quantization-aware on unlabelled data.
void fit_qat(ir::Graph& g, const ir::Graph& teacher, const data::Dataset& train_set, const data::Dataset* eval,
             const train::TrainConfig& cfg) {
  if (train_set.has_labels())
    train::fit(g, train_set, eval, cfg);
  else
    train::fit_outputs(g, teacher, train_set, nullptr, cfg);
}

}  // namespace

ir::Graph quantize_qat(const ir::Graph& float_graph, const data::Dataset& train_set, const PtqOptions& o,
                       const QatOptions& q) {
  check_ptq_inputs(float_graph, train_set, o);
  ETCH_REQUIRE(q.epochs >= 1, InvalidInput) << "QAT needs at least one epoch, got " << q.epochs;
  ETCH_REQUIRE(q.batch_size >= 0, InvalidInput) << "the QAT batch must be >= 0 (0: automatic), got " << q.batch_size;
  ETCH_REQUIRE(q.freeze_bn_steps >= 0, InvalidInput)
      << "the number of steps before BatchNorm is frozen must be >= 0, got " << q.freeze_bn_steps;
  ETCH_REQUIRE(q.freeze_bn_steps == 0 || train_set.has_labels(), InvalidInput)
      << "data set '" << train_set.name << "' has no labels: QAT then matches the float model's outputs with "
      << "BatchNorm folded, so it cannot train BatchNorm live (drop --qat-freeze-bn-steps)";
  ir::Graph prepared = prepare_for_quantization(float_graph);
  QuantPlan plan = plan_quantization(prepared, o.keep_float);
  ETCH_REQUIRE(!plan.values.empty(), InvalidInput) << "nothing to quantize in this model";
  CalibrationStats stats = run_calibration(prepared, plan, train_set, o);
  const bool live_bn = q.freeze_bn_steps > 0 && has_batchnorm(float_graph);
  if (live_bn) {
    // Fold the BatchNorms as trained, and calibrate again: their running
    // statistics have moved, so the activation ranges have too.
    prepared = prepare_for_quantization(train_with_live_batchnorm(float_graph, prepared, plan, stats, train_set, o, q));
    plan = plan_quantization(prepared, o.keep_float);
    stats = run_calibration(prepared, plan, train_set, o);
  }
  // Each activation keeps the range it learns; where a Concat's inputs end
  // up on other grids than its output, lower_qdq rescales them by tables.
  plan.inherited.clear();

  // The training graph: the prepared graph plus FakeQuantize nodes (value ids
  // of the prepared graph stay valid in it).
  ir::Graph g = prepared;
  own_storage(g);
  FakeQuantized fq = insert_fake_quant(g, prepared, plan, stats, o);
  fit_qat(g, prepared, train_set, q.eval, qat_config(g, fq, q, train_set.has_labels()));

  // Trained weights and biases back into the prepared graph, then the QDQ writer.
  for (const WeightedLayer& l : plan.layers) {
    const ir::Node& tn = *g.find_node(l.node);
    const ir::Node& pn = *prepared.find_node(l.node);
    prepared.value(pn.inputs[1]).data = g.value(g.find_node(g.value(tn.inputs[1]).producer)->inputs[0]).data;
    if (pn.has_input(2)) prepared.value(pn.inputs[2]).data = g.value(tn.inputs[2]).data;
  }
  std::map<ir::ValueId, QuantParams> act;
  for (const auto& a : fq.acts) act[a.v] = activation_params(a.range, prepared.value(a.v).name);
  std::ostringstream meta;
  meta << "qat epochs=" << q.epochs << " init=" << calibration_name(o.calibration)
       << " bn_frozen_after_steps=" << (live_bn ? q.freeze_bn_steps : 0);
  return emit_qdq(std::move(prepared), plan, act, o, stats.channel_means, meta.str());
}

}  // namespace etch::quant
