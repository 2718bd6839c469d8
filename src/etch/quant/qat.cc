#include "etch/quant/qat.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "etch/ir/ops/qint_ops.h"
#include "etch/quant/calibration_run.h"
#include "etch/quant/fake_quant_op.h"
#include "etch/quant/ptq_emit.h"
#include "etch/quant/qparams.h"

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

}  // namespace

ir::Graph quantize_qat(const ir::Graph& float_graph, const data::Dataset& train_set, const PtqOptions& o,
                       const QatOptions& q) {
  check_ptq_inputs(float_graph, train_set, o);
  ETCH_REQUIRE(q.epochs >= 1, InvalidInput) << "QAT needs at least one epoch, got " << q.epochs;
  ir::Graph prepared = prepare_for_quantization(float_graph);
  const QuantPlan plan = plan_quantization(prepared, o.keep_float);
  ETCH_REQUIRE(!plan.values.empty(), InvalidInput) << "nothing to quantize in this model";
  const CalibrationStats stats = run_calibration(prepared, plan, train_set, o);

  // The training graph: the prepared graph plus FakeQuantize nodes (value ids
  // of the prepared graph stay valid in it).
  ir::Graph g = prepared;
  // Own storage: training updates parameters in place, and the prepared graph
  // shares tensors with the caller's float model.
  for (int v = 0; v < g.num_values(); ++v)
    if (g.value(v).data) g.value(v).data = g.value(v).data->clone();
  std::vector<ActFq> acts;
  for (ir::ValueId v : plan.values) {
    if (plan.shared.count(v)) continue;  // data movement of values already on the grid
    const std::vector<ir::NodeId> users = g.consumers(v);
    QuantParams p = plan.fixed.count(v) ? plan.fixed.at(v) : activation_params(stats.ranges.at(v), g.value(v).name);
    ActFq a{v, ir::kNoValue, ir::kNoValue, plan.fixed.count(v) ? Range{} : stats.ranges.at(v)};
    const ir::ValueId y = add_fq(g, v, Tensor::scalar<float>(p.scales[0]),
                                 Tensor::scalar<float>(static_cast<float>(p.zero_points[0])), -128, 127, -1, &a.scale,
                                 &a.zero);
    for (ir::NodeId u : users)
      for (auto& in : g.find_node(u)->inputs)
        if (in == v) in = y;
    if (std::find(g.outputs.begin(), g.outputs.end(), v) != g.outputs.end()) {
      const std::string name = g.value(v).name;
      g.value(v).name = g.unique_name(name + "_float");
      g.value(y).name = name;
      std::replace(g.outputs.begin(), g.outputs.end(), v, y);
    }
    if (!plan.fixed.count(v)) acts.push_back(a);
  }
  std::vector<WeightFq> weights;
  for (const WeightedLayer& l : plan.layers) {
    const ir::Node n = *g.find_node(l.node);
    const int bits = o.bits_per_layer.count(n.name) ? o.bits_per_layer.at(n.name) : o.weight_bits;
    const int qmax = bits == 4 ? 7 : 127;
    const ir::ValueId w = n.inputs[1];
    const int64_t c = o.per_channel ? g.value(w).data->dim(0) : 1;
    WeightFq f{w, ir::kNoValue, qmax};
    ir::ValueId zero;
    const ir::ValueId y = add_fq(g, w, o.per_channel ? Tensor(DType::F32, {c}) : Tensor::scalar<float>(1.0f),
                                 o.per_channel ? Tensor(DType::F32, {c}) : Tensor::scalar<float>(0.0f), -qmax, qmax,
                                 o.per_channel ? 0 : -1, &f.scale, &zero);
    g.find_node(l.node)->inputs[1] = y;
    write_weight_scales(g, f);
    weights.push_back(f);
  }
  g.topological_sort();

  train::TrainConfig cfg;
  cfg.epochs = q.epochs;
  cfg.batch_size = q.batch_size;
  cfg.optimizer.kind = "adamw";
  cfg.optimizer.lr = q.lr;
  cfg.optimizer.weight_decay = 0.0f;
  cfg.schedule.kind = "cosine";
  cfg.seed = q.seed;
  cfg.max_steps_per_epoch = q.max_steps_per_epoch;
  cfg.progress = q.progress;
  cfg.on_epoch = q.on_epoch;
  cfg.before_step = [&](train::Autodiff&, int64_t) {
    for (const auto& f : weights) write_weight_scales(g, f);
  };
  cfg.after_step = [&](train::Autodiff& ad, int64_t) {
    for (auto& a : acts) {
      const Tensor& t = ad.activation(a.v);
      const float* d = t.data<float>();
      float mn = INFINITY, mx = -INFINITY;
      for (int64_t i = 0; i < t.numel(); ++i)
        if (std::isfinite(d[i])) mn = std::min(mn, d[i]), mx = std::max(mx, d[i]);
      if (mn > mx) continue;
      a.range.min += q.ema * (mn - a.range.min);
      a.range.max += q.ema * (mx - a.range.max);
      write_act_params(g, a);
    }
  };
  train::fit(g, train_set, q.eval, cfg);

  // Trained weights and biases back into the prepared graph, then the QDQ writer.
  for (const WeightedLayer& l : plan.layers) {
    const ir::Node& tn = *g.find_node(l.node);
    const ir::Node& pn = *prepared.find_node(l.node);
    prepared.value(pn.inputs[1]).data = g.value(g.find_node(g.value(tn.inputs[1]).producer)->inputs[0]).data;
    if (pn.has_input(2)) prepared.value(pn.inputs[2]).data = g.value(tn.inputs[2]).data;
  }
  std::map<ir::ValueId, QuantParams> act;
  for (const auto& a : acts) act[a.v] = activation_params(a.range, prepared.value(a.v).name);
  std::ostringstream meta;
  meta << "qat epochs=" << q.epochs << " init=" << calibration_name(o.calibration);
  return emit_qdq(std::move(prepared), plan, act, o, stats.channel_means, meta.str());
}

}  // namespace etch::quant
