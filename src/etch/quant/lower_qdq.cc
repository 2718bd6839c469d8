#include "etch/quant/lower_qdq.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "etch/core/int4.h"
#include "etch/ir/op_registry.h"
#include "etch/ir/ops/qint_ops.h"
#include "etch/ir/verifier.h"
#include "etch/passes/activation_fusion.h"
#include "etch/passes/eliminate_dead_nodes.h"
#include "etch/quant/int4_storage.h"
#include "etch/quant/ptq_plan.h"
#include "etch/quant/qdq_util.h"
#include "etch/runtime/interpreter.h"
#include "etch/runtime/requantize.h"

namespace etch::quant {

int count_integer_ops(const ir::Graph& g) {
  int c = 0;
  for (const auto& n : g.nodes()) c += n.domain == ir::kEtchDomain && n.op_type != kUnpackInt4;
  return c;
}

namespace {

using Attrs = std::map<std::string, ir::Attribute>;

// An int8 (or int32/int4 constant) value seen through its DequantizeLinear.
struct Dq {
  ir::ValueId q = ir::kNoValue;  // the integer value
  QuantParams p;
};

std::optional<Dq> through_dq(const ir::Graph& g, ir::ValueId v) {
  const ir::Node* n = producer_of(g, v);
  if (!n || n->op_type != "DequantizeLinear" || !n->domain.empty()) return std::nullopt;
  auto p = qdq_params(g, *n);
  if (!p) return std::nullopt;
  return Dq{n->inputs[0], *p};
}

// Per-tensor int8 activation.
std::optional<Dq> act_dq(const ir::Graph& g, ir::ValueId v) {
  auto d = through_dq(g, v);
  if (!d || d->p.per_channel() || d->p.scales.size() != 1 || g.value(d->q).dtype != DType::I8) return std::nullopt;
  return d;
}

void add_requant(Attrs& a, const std::vector<double>& reals) {
  std::vector<int64_t> m, s;
  for (double r : reals) {
    const auto qm = runtime::quantize_multiplier(r);
    m.push_back(qm.multiplier);
    s.push_back(qm.shift);
  }
  a["multipliers"] = m;
  a["shifts"] = s;
}

// act_min/act_max and the provenance name of the fused activation.
void add_activation(const ir::Graph& g, Attrs& a, const ir::Node* act, float sy, int32_t zy) {
  int32_t lo = -128, hi = 127;
  std::string kind = "none";
  if (act) {
    const auto f = passes::activation_bounds(g, *act);
    kind = f->kind;
    lo = runtime::quantize_half_even<int8_t>(f->lo, sy, zy);
    if (std::isfinite(f->hi)) hi = runtime::quantize_half_even<int8_t>(f->hi, sy, zy);
    if (!std::isfinite(f->lo)) lo = -128;
  }
  a["act_min"] = int64_t{lo};
  a["act_max"] = int64_t{hi};
  a["activation"] = kind;
}

// The weight as the integer op takes it: int8 constant, or packed int4 when
// it is stored so (int4_storage.h).
std::optional<std::pair<Tensor, QuantParams>> weight_of(const ir::Graph& g, ir::ValueId v) {
  auto d = through_dq(g, v);
  if (!d) return std::nullopt;
  if (d->p.per_channel() && d->p.axis != 0) return std::nullopt;
  for (int32_t z : d->p.zero_points)
    if (z != 0) return std::nullopt;
  Tensor packed = packed_int4_source(g, d->q);
  if (packed.defined()) return std::make_pair(packed, d->p);
  const ir::Value& w = g.value(d->q);
  if (!w.data || w.data->dtype() != DType::I8) return std::nullopt;
  return std::make_pair(*w.data, d->p);
}

struct Lowerer {
  ir::Graph& g;
  std::vector<ir::NodeId> removed_q;
  std::map<ir::ValueId, Dq> moved;  // float value -> its int8 twin behind data movement

  // An int8 activation seen through DequantizeLinear, or through data-moving
  // ops on a dequantized tensor (PTQ writes no Q/DQ after those: they keep
  // the grid): then the op is repeated on the int8 tensor.
  std::optional<Dq> act_dq(ir::ValueId v) {
    if (auto d = quant::act_dq(g, v)) return d;
    if (auto it = moved.find(v); it != moved.end()) return it->second;
    const ir::Node* p = producer_of(g, v);
    if (!p || !is_data_movement(*p)) return std::nullopt;
    const ir::Node copy = *p;
    auto in = act_dq(copy.inputs[0]);
    if (!in) return std::nullopt;
    std::vector<ir::ValueId> ins = copy.inputs;
    ins[0] = in->q;
    const ir::Value& fv = g.value(v);
    const ir::ValueId out = g.add_value(g.unique_name(fv.name + "_i8"), DType::I8, fv.shape, fv.has_shape);
    g.add_node(copy.op_type, ins, {out}, g.unique_name(copy.name + "_i8"), copy.attrs);
    ir::infer_node(g, *g.find_node(g.value(out).producer));
    return moved[v] = Dq{out, in->p};
  }

  ir::ValueId constant(const std::string& base, Tensor t) { return g.add_constant(g.unique_name(base), std::move(t)); }

  // Conv / Gemm (+ activation) → QConv / QGemm.
  bool weighted(const ir::Node& q, const QuantParams& yp, const ir::Node& core, const ir::Node* act) {
    const bool conv = core.op_type == "Conv";
    if (!conv && !(core.op_type == "Gemm" && core.attr_int("transB", 0) == 1 && core.attr_int("transA", 0) == 0 &&
                   core.attr_float("alpha", 1.0f) == 1.0f && core.attr_float("beta", 1.0f) == 1.0f))
      return false;
    if (conv && core.attr_string("auto_pad", "NOTSET") != "NOTSET") return false;
    auto x = act_dq(core.inputs[0]);
    auto w = weight_of(g, core.inputs[1]);
    if (!x || !w) return false;
    const int64_t m = w->first.dim(0);
    const float sx = x->p.scales[0], sy = yp.scales[0];
    ir::ValueId bias = ir::kNoValue;
    const ir::Value* fb = core.has_input(2) ? &g.value(core.inputs[2]) : nullptr;
    if (fb && fb->data && fb->data->dtype() == DType::F32) {
      // A float bias: int32 on the accumulator's scale s_x·s_w[c] (the rule PTQ uses).
      if (fb->data->numel() != m) return false;
      Tensor bq(DType::I32, {m});
      for (int64_t c = 0; c < m; ++c) {
        const float sb = sx * w->second.scales[w->second.per_channel() ? c : 0];
        const double r = runtime::round_half_away_from_zero(fb->data->data<float>()[c] / static_cast<double>(sb));
        bq.data<int32_t>()[c] = runtime::saturate_cast<int32_t>(r);
      }
      bias = constant(fb->name + "_int", bq);
    } else if (core.has_input(2)) {
      auto b = through_dq(g, core.inputs[2]);
      if (!b || !g.value(b->q).data || g.value(b->q).dtype != DType::I32 || g.value(b->q).data->numel() != m)
        return false;
      // The bias must be on the accumulator's scale s_x·s_w[c].
      for (int64_t c = 0; c < m; ++c) {
        const float want = sx * w->second.scales[w->second.per_channel() ? c : 0];
        const float have = b->p.scales[b->p.per_channel() ? c : 0];
        if (std::fabs(have - want) > 1e-6f * want) return false;
      }
      bias = b->q;
    }
    Attrs a;
    if (conv) {
      for (const char* k : {"strides", "pads", "dilations"})
        if (core.has_attr(k)) a[k] = core.attrs.at(k);
      a["group"] = core.attr_int("group", 1);
      a["kernel_shape"] = core.has_attr("kernel_shape") ? core.attr_ints("kernel_shape")
                                                        : Shape(w->first.shape().begin() + 2, w->first.shape().end());
    }
    a["x_zero_point"] = int64_t{x->p.zero_points[0]};
    a["y_zero_point"] = int64_t{yp.zero_points[0]};
    std::vector<double> reals;
    std::vector<float> ws;
    for (int64_t c = 0; c < (w->second.per_channel() ? m : 1); ++c) {
      ws.push_back(w->second.scales[c]);
      reals.push_back(static_cast<double>(sx) * w->second.scales[c] / sy);
    }
    add_requant(a, reals);
    add_activation(g, a, act, sy, yp.zero_points[0]);
    a["x_scale"] = sx;
    a["w_scales"] = ws;
    a["y_scale"] = sy;
    const ir::ValueId wv = constant(g.value(core.inputs[1]).name + "_int", w->first);
    std::vector<ir::ValueId> ins{x->q, wv};
    if (bias != ir::kNoValue) ins.push_back(bias);
    g.add_node(conv ? "QConv" : "QGemm", ins, {q.outputs[0]}, core.name, a, ir::kEtchDomain);
    return true;
  }

  bool add(const ir::Node& q, const QuantParams& yp, const ir::Node& core, const ir::Node* act) {
    if (core.op_type != "Add" || core.inputs.size() != 2) return false;
    auto x = act_dq(core.inputs[0]), y = act_dq(core.inputs[1]);
    if (!x || !y) return false;
    const int left = 20;
    const double sa = x->p.scales[0], sb = y->p.scales[0], sy = yp.scales[0], twice = 2 * std::max(sa, sb);
    Attrs a;
    a["a_zero_point"] = int64_t{x->p.zero_points[0]};
    a["b_zero_point"] = int64_t{y->p.zero_points[0]};
    a["y_zero_point"] = int64_t{yp.zero_points[0]};
    a["left_shift"] = int64_t{left};
    auto put = [&](const std::string& side, double real) {
      const auto qm = runtime::quantize_multiplier(real);
      a[side + "_multiplier"] = int64_t{qm.multiplier};
      a[side + "_shift"] = int64_t{qm.shift};
    };
    put("a", sa / twice);
    put("b", sb / twice);
    put("y", twice / (std::ldexp(1.0, left) * sy));
    add_activation(g, a, act, static_cast<float>(sy), yp.zero_points[0]);
    a.erase("activation");
    a["a_scale"] = static_cast<float>(sa);
    a["b_scale"] = static_cast<float>(sb);
    a["y_scale"] = static_cast<float>(sy);
    g.add_node("QAdd", {x->q, y->q}, {q.outputs[0]}, core.name, a, ir::kEtchDomain);
    return true;
  }

  bool pool(const ir::Node& q, const QuantParams& yp, const ir::Node& core) {
    const bool global = core.op_type == "GlobalAveragePool";
    if (!global && core.op_type != "AveragePool") return false;
    auto x = act_dq(core.inputs[0]);
    if (!x) return false;
    const ir::Value& xv = g.value(x->q);
    if (!xv.has_shape || xv.shape.size() != 4) return false;
    Attrs a;
    std::vector<int64_t> k;
    if (global) {
      if (xv.shape[2] <= 0 || xv.shape[3] <= 0) return false;
      k = {xv.shape[2], xv.shape[3]};
    } else {
      if (core.attr_string("auto_pad", "NOTSET") != "NOTSET" || core.attr_int("ceil_mode", 0) != 0) return false;
      const auto pads = core.attr_ints("pads");
      if (std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p != 0; }) &&
          core.attr_int("count_include_pad", 0) == 0)
        return false;
      k = core.attr_ints("kernel_shape");
      for (const char* key : {"strides", "pads"})
        if (core.has_attr(key)) a[key] = core.attrs.at(key);
    }
    a["kernel_shape"] = k;
    a["x_zero_point"] = int64_t{x->p.zero_points[0]};
    a["y_zero_point"] = int64_t{yp.zero_points[0]};
    const auto qm = runtime::quantize_multiplier(
        static_cast<double>(x->p.scales[0]) / (static_cast<double>(yp.scales[0]) * static_cast<double>(k[0] * k[1])));
    a["multiplier"] = int64_t{qm.multiplier};
    a["shift"] = int64_t{qm.shift};
    a["x_scale"] = x->p.scales[0];
    a["y_scale"] = yp.scales[0];
    g.add_node("QAveragePool", {x->q}, {q.outputs[0]}, core.name, a, ir::kEtchDomain);
    return true;
  }

  bool move(const ir::Node& q, const QuantParams& yp, const ir::Node& p) {
    if (!is_data_movement(p)) return false;
    auto x = act_dq(p.inputs[0]);
    if (!x || !(x->p.scales == yp.scales && x->p.zero_points == yp.zero_points)) return false;
    ir::Node copy = p;
    copy.inputs[0] = x->q;
    g.add_node(p.op_type, copy.inputs, {q.outputs[0]}, p.name, p.attrs);
    return true;
  }

  bool lut(const ir::Node& q, const QuantParams& yp, const ir::Node& p) {
    if (!is_lut_op(p)) return false;
    for (size_t i = 1; i < p.inputs.size(); ++i)
      if (p.inputs[i] != ir::kNoValue && !g.value(p.inputs[i]).data) return false;
    auto x = act_dq(p.inputs[0]);
    if (!x) return false;
    Tensor in(DType::F32, {256});
    for (int i = 0; i < 256; ++i)
      in.data<float>()[i] = x->p.scales[0] * static_cast<float>(i - 128 - x->p.zero_points[0]);
    std::vector<const Tensor*> ins{&in};
    for (size_t i = 1; i < p.inputs.size(); ++i)
      ins.push_back(p.inputs[i] == ir::kNoValue ? nullptr : &*g.value(p.inputs[i]).data);
    const Tensor out = runtime::run_node(p, ins)[0];
    Tensor table(DType::I8, {256});
    for (int i = 0; i < 256; ++i)
      table.data<int8_t>()[i] =
          runtime::quantize_half_away<int8_t>(out.data<float>()[i], yp.scales[0], yp.zero_points[0]);
    const ir::ValueId t = constant(p.name.empty() ? "lut" : p.name + "_table", table);
    g.add_node("QLut", {x->q, t}, {q.outputs[0]}, p.name, {{"function", p.op_type}}, ir::kEtchDomain);
    return true;
  }

  void run() {
    const std::vector<ir::Node> nodes = g.nodes();
    for (const ir::Node& q : nodes) {
      if (q.op_type != "QuantizeLinear" || !q.domain.empty() || g.value(q.outputs[0]).dtype != DType::I8) continue;
      auto yp = qdq_params(g, q);
      if (!yp || yp->per_channel() || yp->scales.size() != 1) continue;
      const ir::Node* p = producer_of(g, q.inputs[0]);
      if (!p) continue;
      const ir::Node* core = p;
      const ir::Node* act = nullptr;
      if (const ir::Node* c = producer_of(g, p->inputs.empty() ? ir::kNoValue : p->inputs[0])) {
        auto f = passes::fused_activation(g, *c);
        if (f && f->activation == p->id) {
          core = c;
          act = p;
        }
      }
      // Copies: add_node below may move the nodes vector.
      const ir::Node core_copy = *core, p_copy = *p;
      const ir::Node* act_copy = act ? &p_copy : nullptr;
      bool done = weighted(q, *yp, core_copy, act_copy) || add(q, *yp, core_copy, act_copy);
      if (!done && !act) done = pool(q, *yp, core_copy) || move(q, *yp, p_copy);
      if (!done) done = lut(q, *yp, p_copy);
      if (done) removed_q.push_back(q.id);
    }
    g.remove_nodes(removed_q);
    g.rebuild_producers();
  }
};

}  // namespace

ir::Graph lower_qdq(const ir::Graph& qdq) {
  ir::Graph g = qdq;
  Lowerer l{g, {}, {}};
  l.run();
  // Integer ops were appended at the end: order first, since dead-node
  // elimination walks the graph backwards from its outputs.
  g.topological_sort();
  passes::eliminate_dead_nodes(g, {});
  ir::infer_shapes(g);
  ir::verify(g);
  return g;
}

}  // namespace etch::quant
