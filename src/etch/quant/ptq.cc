#include "etch/quant/ptq.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <sstream>

#include "etch/core/log.h"
#include "etch/core/progress.h"
#include "etch/data/rng.h"
#include "etch/ir/op_registry.h"
#include "etch/ir/verifier.h"
#include "etch/passes/activation_fusion.h"
#include "etch/passes/pipeline.h"
#include "etch/passes/raise_opset.h"
#include "etch/quant/calibration_run.h"
#include "etch/quant/int4_storage.h"
#include "etch/quant/ptq_emit.h"
#include "etch/quant/ptq_plan.h"
#include "etch/quant/qdq_util.h"
#include "etch/quant/qparams.h"
#include "etch/runtime/interpreter.h"
#include "etch/runtime/requantize.h"

namespace etch::quant {

bool is_quantized(const ir::Graph& g, std::string* what) {
  for (const auto& n : g.nodes()) {
    if (ir::has_trait(n, ir::OpTrait::kQuantizedFormat) || n.domain == "ai.etch" || n.domain == "com.microsoft") {
      if (what) *what = n.describe();
      return true;
    }
  }
  return false;
}

std::map<std::string, int> parse_bits_per_layer(const std::string& spec) {
  std::map<std::string, int> out;
  std::string text = spec;
  std::replace(text.begin(), text.end(), ',', '\n');
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (auto h = line.find('#'); h != std::string::npos) line.resize(h);
    const auto b = line.find_first_not_of(" \t\r"), e = line.find_last_not_of(" \t\r");
    if (b == std::string::npos) continue;
    line = line.substr(b, e - b + 1);
    const auto eq = line.find('=');
    ETCH_REQUIRE(eq != std::string::npos && eq > 0, InvalidInput)
        << "bits per layer: entry '" << line << "' is not NODE=BITS (e.g. conv1=4)";
    auto trim = [](std::string t) {
      const auto b0 = t.find_first_not_of(" \t"), e0 = t.find_last_not_of(" \t");
      return b0 == std::string::npos ? std::string() : t.substr(b0, e0 - b0 + 1);
    };
    const std::string name = trim(line.substr(0, eq)), bits = trim(line.substr(eq + 1));
    ETCH_REQUIRE(bits == "4" || bits == "8", InvalidInput)
        << "bits per layer: '" << name << "' asks for " << bits << " bits; only 4 and 8 are supported";
    out[name] = std::stoi(bits);
  }
  return out;
}

ir::Graph prepare_for_quantization(const ir::Graph& float_graph) {
  ir::Graph g = float_graph;
  passes::PassContext ctx;
  ctx.evaluate = runtime::run_node;
  passes::run_pipeline(g, passes::prepare_pipeline(), ctx);
  return g;
}

ir::Graph prepare_for_ptq(const ir::Graph& float_graph, const data::Dataset& calib, const PtqOptions& o) {
  ir::Graph g = prepare_for_quantization(float_graph);
  if (o.equalization == Equalization::kNone) return g;
  const std::vector<EqualizationPair> pairs = equalization_pairs(g);
  std::map<ir::ValueId, std::vector<double>> absmax;
  if (o.equalization == Equalization::kActivations && !pairs.empty()) {
    std::vector<ir::ValueId> between;
    for (const auto& p : pairs) between.push_back(p.between);
    absmax = channel_absmax(g, between, calib, o);
  }
  equalize_cross_layer(g, o.equalization, pairs, absmax);
  return g;
}

namespace {

// Weights and biases of weighted layers only: other constants (a Clip bound of
// +inf, a mask of -inf) are legitimate and stay float where PTQ cannot use them.
void check_weights_finite(const ir::Graph& g) {
  for (const auto& n : g.nodes())
    for (size_t k = 1; k < n.inputs.size() && k <= 2; ++k) {
      const ir::ValueId v = n.inputs[k];
      if (v == ir::kNoValue || !ir::has_trait(n, ir::OpTrait::kWeighted)) continue;
      const ir::Value& val = g.value(v);
      if (!val.data || val.data->dtype() != DType::F32) continue;
      const float* d = val.data->data<float>();
      for (int64_t i = 0; i < val.data->numel(); ++i)
        ETCH_REQUIRE(std::isfinite(d[i]), InvalidInput)
            << "tensor '" << val.name << "' (input of " << n.describe() << ") holds " << d[i] << " at element " << i
            << "; quantization needs finite weights";
    }
}

}  // namespace

void check_ptq_inputs(const ir::Graph& g, const data::Dataset& calib, const PtqOptions& o) {
  std::string what;
  ETCH_REQUIRE(!is_quantized(g, &what), InvalidInput)
      << "the model is already quantized (" << what << "); re-quantizing is refused: quantize the float model";
  ETCH_REQUIRE(o.weight_bits == 8 || o.weight_bits == 4, InvalidInput)
      << "weight bits must be 8 or 4, got " << o.weight_bits;
  for (const auto& name : o.keep_float)
    ETCH_REQUIRE(g.find_node_by_name(name), InvalidInput)
        << "--keep-float: the model has no node named '" << name << "'";
  for (const auto& [name, bits] : o.bits_per_layer) {
    const ir::Node* n = g.find_node_by_name(name);
    ETCH_REQUIRE(n, InvalidInput) << "bits per layer: the model has no node named '" << name << "'";
    ETCH_REQUIRE(ir::has_trait(*n, ir::OpTrait::kWeighted), InvalidInput)
        << "bits per layer: " << n->describe() << " has no weights (expected a Conv, Gemm or MatMul)";
    ETCH_REQUIRE(bits == 8 || bits == 4, InvalidInput)
        << "bits per layer: '" << name << "' asks for " << bits << " bits";
  }
  ETCH_REQUIRE(o.calib_samples >= 1 && o.calib_batch >= 1, InvalidInput)
      << "calibration samples and batch must be >= 1, got " << o.calib_samples << " and " << o.calib_batch;
  ETCH_REQUIRE(calib.size() >= 1, InvalidInput) << "calibration data set '" << calib.name << "' has no samples";
  check_weights_finite(g);
}

namespace {

struct QuantizedWeight {
  Tensor q;        // I8 values (4-bit ones in [-7, 7])
  Tensor dequant;  // F32, for bias correction
  QuantParams params;
};

QuantizedWeight quantize_weight(const Tensor& w, const std::string& name, int bits, bool per_channel) {
  QuantizedWeight r;
  r.params = weight_params(w, name, bits, per_channel);
  const int32_t qmax = bits == 4 ? 7 : 127;
  r.q = Tensor(DType::I8, w.shape());
  r.dequant = Tensor(DType::F32, w.shape());
  const int64_t per = w.numel() / w.dim(0);
  for (int64_t i = 0; i < w.numel(); ++i) {
    const float s = r.params.scales[r.params.per_channel() ? i / per : 0];
    const int32_t q = std::clamp<int32_t>(runtime::quantize_half_away<int32_t>(w.data<float>()[i], s, 0), -qmax, qmax);
    r.q.data<int8_t>()[i] = static_cast<int8_t>(q);
    r.dequant.data<float>()[i] = static_cast<float>(q) * s;
  }
  return r;
}

// (W − Ŵ)·E[x] per output channel: the mean output shift the weight rounding
// causes, with the input's per-channel means from calibration (padding
// ignored). Adding it to the bias removes that shift (Nagel et al., 2019).
std::vector<double> bias_shift(const ir::Node& n, const Tensor& w, const Tensor& wq, const std::vector<double>& mean) {
  const int64_t m = w.dim(0), per = w.numel() / m;
  // Conv weights are [M, C/group, k...]; Gemm ones [M, C] with no group.
  const int64_t group = n.attr_int("group", 1);
  const int64_t cin_g = w.dim(1), spatial = per / cin_g;
  std::vector<double> out(static_cast<size_t>(m), 0.0);
  for (int64_t o = 0; o < m; ++o) {
    const int64_t gi = o / (m / group);
    for (int64_t k = 0; k < per; ++k) {
      const int64_t ci = gi * cin_g + k / spatial;
      if (ci >= static_cast<int64_t>(mean.size())) continue;
      out[o] += (static_cast<double>(w.data<float>()[o * per + k]) - wq.data<float>()[o * per + k]) * mean[ci];
    }
  }
  return out;
}

// A comparison (ir::OpTrait::kComparison) with one input rounded to an int8
// grid (read from a DequantizeLinear) and another still float would compare a
// rounded value with an unrounded one: x == maxpool(x) then almost never
// holds, and M-LSD's peak picking returned all zeros. The float inputs are
// rounded to the same grid for the comparison alone. Rounding is monotonic,
// so max and order survive it; only values closer than one step can become
// ties.
void round_comparison_inputs_alike(ir::Graph& g, std::map<int32_t, ir::ValueId>* zero_points) {
  const std::vector<ir::Node> nodes = g.nodes();
  for (const ir::Node& n : nodes) {
    if (!ir::has_trait(n, ir::OpTrait::kComparison)) continue;
    std::optional<QuantParams> grid;
    for (ir::ValueId in : n.inputs) {
      const ir::Node* p = in == ir::kNoValue ? nullptr : g.find_node(g.value(in).producer);
      if (p && is_dequantize(*p))
        if (auto qp = qdq_params(g, *p); qp && !qp->per_channel()) grid = qp;
    }
    if (!grid) continue;
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      const ir::ValueId in = n.inputs[i];
      const ir::Node* p = in == ir::kNoValue ? nullptr : g.find_node(g.value(in).producer);
      if (g.value(in).dtype != DType::F32 || g.value(in).data || (p && is_dequantize(*p))) continue;
      const ir::ValueId dq = add_qdq(g, in, *grid, zero_points).second;
      g.find_node(n.id)->inputs[i] = dq;
    }
  }
}

// Every planned value's parameters: fixed, else those of the value it shares
// or inherits them from (either may lead to the other: a Concat padding a
// MaxPool's output, a MaxPool of a padding Concat), else its calibrated ones.
std::map<ir::ValueId, QuantParams> resolved_params(const QuantPlan& plan,
                                                   const std::map<ir::ValueId, QuantParams>& calibrated) {
  std::function<QuantParams(ir::ValueId)> of = [&](ir::ValueId v) {
    if (auto it = plan.fixed.find(v); it != plan.fixed.end()) return it->second;
    if (auto it = plan.shared.find(v); it != plan.shared.end()) return of(it->second);
    if (auto it = plan.inherited.find(v); it != plan.inherited.end()) return of(it->second);
    return calibrated.at(v);
  };
  std::map<ir::ValueId, QuantParams> out;
  for (ir::ValueId v : plan.values) out[v] = of(v);
  return out;
}

void replace_uses_except(ir::Graph& g, ir::ValueId from, ir::ValueId to, const std::vector<ir::NodeId>& users) {
  for (ir::NodeId u : users)
    for (auto& in : g.find_node(u)->inputs)
      if (in == from) in = to;
}

}  // namespace

ir::Graph quantize_ptq(const ir::Graph& float_graph, const data::Dataset& calib, const PtqOptions& o) {
  check_ptq_inputs(float_graph, calib, o);
  return quantize_prepared(prepare_for_ptq(float_graph, calib, o), calib, o);
}

ir::Graph quantize_prepared(ir::Graph g, const data::Dataset& calib, const PtqOptions& o) {
  const QuantPlan plan = plan_quantization(g, o.keep_float);
  ETCH_REQUIRE(!plan.values.empty(), InvalidInput)
      << "nothing to quantize: the model has no Conv, Gemm, MatMul, Add or pooling layer outside --keep-float";
  CalibrationStats stats = run_calibration(g, plan, calib, o);
  std::map<ir::ValueId, QuantParams> act;
  for (ir::ValueId v : plan.values)
    if (!plan.fixed.count(v) && !plan.shared.count(v)) act[v] = activation_params(stats.ranges.at(v), g.value(v).name);
  std::ostringstream meta;
  meta << "ptq calibration=" << calibration_name(o.calibration) << " samples=" << stats.samples
       << " equalize=" << equalization_name(o.equalization);
  return emit_qdq(std::move(g), plan, act, o, stats.channel_means, meta.str());
}

ir::Graph emit_qdq(ir::Graph g, const QuantPlan& plan, std::map<ir::ValueId, QuantParams> act, const PtqOptions& o,
                   const std::map<ir::ValueId, std::vector<double>>& channel_means, const std::string& provenance) {
  act = resolved_params(plan, act);
  // Per-channel DequantizeLinear needs opset 13; older graphs are raised to it
  // (same meaning) or, when that cannot be done, get per-tensor weights.
  bool per_channel = o.per_channel;
  if (per_channel && g.opset < 13)
    if (const std::string why = passes::raise_to_opset13(g); !why.empty()) {
      log_warn("per-tensor weights: per-channel ones need ONNX opset 13 and " + why);
      per_channel = false;
    }

  // Weights and biases behind DequantizeLinear.
  for (const WeightedLayer& l : plan.layers) {
    // Copies: adding nodes below invalidates references into g.nodes().
    const ir::Node n = *g.find_node(l.node);
    const Tensor w = *g.value(n.inputs[1]).data;
    const std::string wname = g.value(n.inputs[1]).name;
    const int bits = o.bits_per_layer.count(n.name) ? o.bits_per_layer.at(n.name) : o.weight_bits;
    QuantizedWeight qw = quantize_weight(w, wname, bits, per_channel);
    if (qw.params.per_channel()) qw.params.axis = 0;
    ir::ValueId wq;
    const std::string wshort = short_name('w', n.inputs[1]);  // short: see add_qdq
    if (bits == 4 && !o.int4_as_int8)
      wq = add_packed_int4(g, qw.q, wshort);
    else
      wq = g.add_constant(g.unique_name(wshort + "q"), qw.q);
    const ir::ValueId wdq = add_dequantize_const(g, wq, qw.params, wshort);
    const int64_t m = w.dim(0);
    std::vector<double> bias(static_cast<size_t>(m), 0.0);
    const bool has_bias = n.has_input(2);
    if (has_bias) {
      const Tensor& b = *g.value(n.inputs[2]).data;
      for (int64_t c = 0; c < m; ++c) bias[c] = b.data<float>()[c];
    }
    if (o.bias_correction) {
      const auto shift = bias_shift(n, w, qw.dequant, channel_means.at(l.input));
      for (int64_t c = 0; c < m; ++c) bias[c] += shift[c];
    }
    ir::ValueId bdq = ir::kNoValue;
    if ((has_bias || o.bias_correction) && !o.int32_bias) {
      Tensor bf(DType::F32, {m});
      for (int64_t c = 0; c < m; ++c) bf.data<float>()[c] = static_cast<float>(bias[c]);
      bdq = g.add_constant(g.unique_name(short_name('b', n.inputs[1])), bf);
    } else if (has_bias || o.bias_correction) {
      QuantParams bp;
      const Tensor bq = int32_bias(bias, act.at(l.input).scales[0], qw.params, &bp);
      const std::string bname = short_name('b', n.inputs[1]);
      bdq = add_dequantize_const(g, g.add_constant(g.unique_name(bname + "q"), bq), bp, bname);
    }
    ir::Node& nn = *g.find_node(l.node);
    nn.inputs[1] = wdq;
    if (nn.inputs.size() < 3) nn.inputs.resize(3, ir::kNoValue);
    nn.inputs[2] = bdq;
  }

  // Activations: x → Q → DQ, every consumer reads the DQ.
  std::map<int32_t, ir::ValueId> zero_points;  // equal zero points share one constant
  std::vector<ir::NodeId> dropped;             // fused activations QuantizeLinear makes redundant
  for (ir::ValueId v : plan.values) {
    // Data movement keeps its input's grid: MaxPool/Reshape/... of a
    // dequantized tensor is already exactly on it, so no Q/DQ is needed after
    // them (lower_qdq runs them on int8); this keeps small files small.
    if (plan.shared.count(v)) continue;
    const std::vector<ir::NodeId> users = g.consumers(v);
    const bool is_output = std::find(g.outputs.begin(), g.outputs.end(), v) != g.outputs.end();
    const auto [q, dq] = add_qdq(g, v, act.at(v), &zero_points);
    replace_uses_except(g, v, dq, users);
    // Conv → Relu/Clip → Q where Q alone already saturates at (or inside) the
    // activation's bounds: Q(clamp(x)) == Q(x) for every x, so the activation
    // is dropped and Q reads the Conv (ONNX Runtime's quantizer does the same).
    // lower_qdq then clamps to [-128, 127], the same integers as before.
    if (const auto it = plan.fused.find(v); it != plan.fused.end()) {
      const ir::Node& a = *g.find_node(it->second);
      const auto bounds = passes::activation_bounds(g, a);
      if (bounds && clamp_is_redundant(bounds->lo, bounds->hi, act.at(v))) {
        g.find_node(g.value(q).producer)->inputs[0] = a.inputs[0];
        dropped.push_back(a.id);
      }
    }
    if (is_output) {  // the dequantized value keeps the output's name
      const std::string name = g.value(v).name;
      g.value(v).name = g.unique_name(name + "_float");
      g.value(dq).name = name;
      std::replace(g.outputs.begin(), g.outputs.end(), v, dq);
    }
  }
  g.remove_nodes(dropped);
  round_comparison_inputs_alike(g, &zero_points);
  g.topological_sort();
  std::ostringstream meta;
  meta << provenance << " per_channel=" << per_channel << " weight_bits=" << o.weight_bits
       << " bias_correction=" << o.bias_correction;
  g.metadata["etch.quantization"] = meta.str();
  ir::verify(g);
  return g;
}

}  // namespace etch::quant
