#include "etch/quant/cross_layer_equalization.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "etch/core/error.h"
#include "etch/ir/op_registry.h"
#include "etch/passes/activation_fusion.h"

namespace etch::quant {

Equalization parse_equalization(const std::string& s) {
  if (s == "none") return Equalization::kNone;
  if (s == "weights") return Equalization::kWeights;
  if (s == "activations") return Equalization::kActivations;
  ETCH_FAIL(InvalidInput) << "--equalize must be none, weights or activations, got '" << s << "'";
  return Equalization::kNone;
}

std::string equalization_name(Equalization e) {
  switch (e) {
    case Equalization::kNone:
      return "none";
    case Equalization::kWeights:
      return "weights";
    case Equalization::kActivations:
      return "activations";
  }
  return "none";
}

namespace {

bool is_graph_output(const ir::Graph& g, ir::ValueId v) {
  return std::find(g.outputs.begin(), g.outputs.end(), v) != g.outputs.end();
}

// The only node reading v, when there is exactly one and v is not a graph output.
const ir::Node* sole_consumer(const ir::Graph& g, ir::ValueId v) {
  if (is_graph_output(g, v)) return nullptr;
  const std::vector<ir::NodeId> c = g.consumers(v);
  if (c.size() != 1) return nullptr;
  const ir::Node* n = g.find_node(c[0]);
  // Read once: a node reading v twice (x * x) is not linear in it.
  return n && std::count(n->inputs.begin(), n->inputs.end(), v) == 1 ? n : nullptr;
}

const Tensor* const_f32(const ir::Graph& g, const ir::Node& n, size_t i) {
  if (!n.has_input(i)) return nullptr;
  const ir::Value& v = g.value(n.inputs[i]);
  return v.data && v.data->dtype() == DType::F32 ? &*v.data : nullptr;
}

// A Conv whose weights (and bias, if any) are float constants of the usual layout.
bool is_equalizable_conv(const ir::Graph& g, const ir::Node& n) {
  if (n.op_type != "Conv" || !ir::is_float_conv(g, n) || n.outputs.size() != 1) return false;
  const Tensor* w = const_f32(g, n, 1);
  if (!w || w->rank() < 3 || w->dim(0) < 1) return false;
  if (n.has_input(2)) {
    const Tensor* b = const_f32(g, n, 2);
    if (!b || b->numel() != w->dim(0)) return false;
  }
  return true;
}

// The upper bound of an activation A's output may pass through to B: infinity
// for Relu and LeakyRelu (f(s·x) = s·f(x) for s > 0), M for Clip(0, M);
// nothing for any other node.
std::optional<float> equalizable_activation_bound(const ir::Graph& g, const ir::Node& n) {
  if (n.op_type == "Relu" || n.op_type == "LeakyRelu") return std::numeric_limits<float>::infinity();
  if (n.op_type != "Clip") return std::nullopt;
  const auto b = passes::activation_bounds(g, n);
  if (!b || b->lo != 0.0f || !(b->hi > 0.0f)) return std::nullopt;
  return b->hi;
}

// Tensor copies share storage (core/tensor.h), and so do the constants of a
// copied Graph and of the graph it was copied from: give the node a tensor of
// its own before changing it, and a value of its own when another node (or the
// graph's outputs) reads the same constant.
Tensor& own_constant(ir::Graph& g, ir::Node& n, size_t i) {
  const ir::ValueId v = n.inputs[i];
  Tensor copy = g.value(v).data->clone();
  if (g.consumers(v).size() > 1 || is_graph_output(g, v))
    n.inputs[i] = g.add_constant(g.unique_name(g.value(v).name + ".equalized"), std::move(copy));
  else
    g.value(v).data = std::move(copy);
  return *g.value(n.inputs[i]).data;
}

// Max |w| over B's weights for each input channel c of B.
std::vector<double> column_ranges(const Tensor& wb, int64_t group, int64_t channels) {
  const int64_t m = wb.dim(0), cin_g = wb.dim(1), spatial = wb.numel() / (m * cin_g);
  std::vector<double> r(static_cast<size_t>(channels), 0.0);
  const float* d = wb.data<float>();
  for (int64_t o = 0; o < m; ++o) {
    const int64_t gi = o / (m / group);
    for (int64_t k = 0; k < cin_g; ++k)
      for (int64_t s = 0; s < spatial; ++s) {
        const int64_t c = gi * cin_g + k;
        r[c] = std::max(r[c], static_cast<double>(std::fabs(d[(o * cin_g + k) * spatial + s])));
      }
  }
  return r;
}

}  // namespace

std::vector<EqualizationPair> equalization_pairs(const ir::Graph& g) {
  std::vector<EqualizationPair> out;
  for (const ir::Node& a : g.nodes()) {
    if (!is_equalizable_conv(g, a)) continue;
    ir::ValueId between = a.outputs[0];
    float clip_max = std::numeric_limits<float>::infinity();
    const ir::Node* next = sole_consumer(g, between);
    const std::optional<float> bound = next ? equalizable_activation_bound(g, *next) : std::nullopt;
    if (bound && next->inputs[0] == between && next->outputs.size() == 1) {
      clip_max = *bound;
      between = next->outputs[0];
      next = sole_consumer(g, between);
    }
    if (!next || !is_equalizable_conv(g, *next) || next->inputs[0] != between) continue;
    const Tensor& wa = *const_f32(g, a, 1);
    const Tensor& wb = *const_f32(g, *next, 1);
    const int64_t group = next->attr_int("group", 1);
    if (group < 1 || wb.dim(0) % group != 0 || wb.dim(1) * group != wa.dim(0)) continue;
    out.push_back({a.id, next->id, between, clip_max});
  }
  return out;
}

int equalize_cross_layer(ir::Graph& g, Equalization mode, const std::vector<EqualizationPair>& pairs,
                         const std::map<ir::ValueId, std::vector<double>>& absmax) {
  if (mode == Equalization::kNone) return 0;
  int changed = 0;
  for (const EqualizationPair& p : pairs) {
    const bool clipped = std::isfinite(p.clip_max);
    // Without calibrated ranges nothing says which channels stay below the bound.
    if (clipped && mode != Equalization::kActivations) continue;
    ir::Node& a = *g.find_node(p.a);
    ir::Node& b = *g.find_node(p.b);
    const int64_t channels = g.value(a.inputs[1]).data->dim(0);
    const int64_t group = b.attr_int("group", 1);
    const std::vector<double> r2 = column_ranges(*g.value(b.inputs[1]).data, group, channels);
    std::vector<double> r1(static_cast<size_t>(channels), 0.0);
    if (mode == Equalization::kActivations) {
      const auto it = absmax.find(p.between);
      if (it == absmax.end() || static_cast<int64_t>(it->second.size()) != channels) continue;
      r1 = it->second;
    } else {
      const Tensor& wa = *g.value(a.inputs[1]).data;
      const int64_t per = wa.numel() / channels;
      for (int64_t c = 0; c < channels; ++c)
        for (int64_t k = 0; k < per; ++k)
          r1[c] = std::max(r1[c], static_cast<double>(std::fabs(wa.data<float>()[c * per + k])));
    }
    std::vector<float> s(static_cast<size_t>(channels), 1.0f);
    bool any = false;
    for (int64_t c = 0; c < channels; ++c) {
      // A dead channel (zero range on either side) keeps its scale.
      if (!(r1[c] > 0) || !(r2[c] > 0) || !std::isfinite(r1[c]) || !std::isfinite(r2[c])) continue;
      // A channel that reaches the Clip's bound keeps its scale; any other
      // one is amplified at most up to the bound (s_c >= a_c / M).
      if (clipped && r1[c] >= p.clip_max * (1.0 - 1e-6)) continue;
      double sc = std::sqrt(r1[c] / r2[c]);
      if (clipped) sc = std::max(sc, r1[c] / p.clip_max);
      s[c] = static_cast<float>(sc);
      if (!std::isfinite(s[c]) || s[c] <= 0) s[c] = 1.0f;
      any = any || s[c] != 1.0f;
    }
    if (!any) continue;
    Tensor& wa = own_constant(g, a, 1);
    const int64_t per_a = wa.numel() / channels;
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t k = 0; k < per_a; ++k) wa.data<float>()[c * per_a + k] /= s[c];
    if (a.has_input(2)) {
      Tensor& ba = own_constant(g, a, 2);
      for (int64_t c = 0; c < channels; ++c) ba.data<float>()[c] /= s[c];
    }
    Tensor& wb = own_constant(g, b, 1);
    const int64_t m = wb.dim(0), cin_g = wb.dim(1), spatial = wb.numel() / (m * cin_g);
    for (int64_t o = 0; o < m; ++o) {
      const int64_t gi = o / (m / group);
      for (int64_t k = 0; k < cin_g; ++k)
        for (int64_t sp = 0; sp < spatial; ++sp) wb.data<float>()[(o * cin_g + k) * spatial + sp] *= s[gi * cin_g + k];
    }
    // The equalized activations are no longer the float model's tensors of
    // that name: renamed, a comparison against the original model (the
    // per-layer report of `etch validate`) does not pair them up.
    for (ir::ValueId v : {a.outputs[0], p.between}) {
      ir::Value& val = g.value(v);
      if (val.name.find(".equalized") == std::string::npos) val.name = g.unique_name(val.name + ".equalized");
    }
    ++changed;
  }
  return changed;
}

}  // namespace etch::quant
