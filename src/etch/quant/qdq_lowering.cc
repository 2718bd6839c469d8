#include "etch/quant/qdq_lowering.h"

#include <cmath>

#include "etch/ir/op_registry.h"
#include "etch/passes/activation_fusion.h"
#include "etch/quant/int4_storage.h"
#include "etch/quant/qdq_util.h"
#include "etch/quant/quant_rule.h"
#include "etch/runtime/requantize.h"

namespace etch::quant {

std::optional<Dq> through_dq(const ir::Graph& g, ir::ValueId v) {
  const ir::Node* n = producer_of(g, v);
  if (!n || !is_dequantize(*n)) return std::nullopt;
  auto p = qdq_params(g, *n);
  if (!p) return std::nullopt;
  return Dq{n->inputs[0], *p};
}

namespace {
// Per-tensor int8 activation.
std::optional<Dq> act_through_dq(const ir::Graph& g, ir::ValueId v) {
  auto d = through_dq(g, v);
  if (!d || d->p.per_channel() || d->p.scales.size() != 1 || g.value(d->q).dtype != DType::I8) return std::nullopt;
  return d;
}
}  // namespace

std::array<float, 256> grid_reals(const QuantParams& p) {
  std::array<float, 256> r{};
  for (int i = 0; i < 256; ++i)
    r[static_cast<size_t>(i)] = p.scales[0] * static_cast<float>(i - 128 - p.zero_points[0]);
  return r;
}

void add_requant(IntegerOpAttrs& a, const std::vector<double>& reals) {
  std::vector<int64_t> m, s;
  for (double r : reals) {
    const auto qm = runtime::quantize_multiplier(r);
    m.push_back(qm.multiplier);
    s.push_back(qm.shift);
  }
  a["multipliers"] = m;
  a["shifts"] = s;
}

void add_activation(const ir::Graph& g, IntegerOpAttrs& a, const ir::Node* act, float sy, int32_t zy) {
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

std::optional<Dq> QdqLowering::act_dq(ir::ValueId v) {
  if (auto d = act_through_dq(g_, v)) return d;
  if (auto it = moved_.find(v); it != moved_.end()) return it->second;
  const ir::Node* p = producer_of(g_, v);
  if (!p || !is_data_movement(*p)) return std::nullopt;
  const QuantRule& rule = *find_rule(*p);
  if (rule.why_not && !rule.why_not(g_, *p, g_.value(p->inputs[0])).empty()) return std::nullopt;
  const ir::Node copy = *p;
  auto in = act_dq(copy.inputs[0]);
  if (!in) return std::nullopt;
  std::vector<ir::ValueId> ins = copy.inputs;
  ins[0] = in->q;
  if (rule.int8_inputs) rule.int8_inputs(*this, copy, *in, ins);
  const ir::Value& fv = g_.value(v);
  const ir::ValueId out = g_.add_value(g_.unique_name(fv.name + "_i8"), DType::I8, fv.shape, fv.has_shape);
  g_.add_node(copy.op_type, ins, {out}, g_.unique_name(copy.name + "_i8"), copy.attrs);
  ir::infer_node(g_, *g_.find_node(g_.value(out).producer));
  return moved_[v] = Dq{out, in->p};
}

ir::ValueId QdqLowering::constant(const std::string& base, Tensor t) {
  return g_.add_constant(g_.unique_name(base), std::move(t));
}

}  // namespace etch::quant
