#include "etch/quant/qdq_util.h"

#include <cmath>
#include <limits>

namespace etch::quant {

std::optional<QuantParams> qdq_params(const ir::Graph& g, const ir::Node& n) {
  if (!n.has_input(1)) return std::nullopt;
  const ir::Value& s = g.value(n.inputs[1]);
  if (!s.data) return std::nullopt;
  QuantParams p;
  p.scales = s.data->to_float_vector();
  if (n.has_input(2)) {
    const ir::Value& z = g.value(n.inputs[2]);
    if (!z.data) return std::nullopt;
    for (int64_t v : z.data->to_int64_vector()) p.zero_points.push_back(static_cast<int32_t>(v));
  } else {
    p.zero_points.assign(p.scales.size(), 0);
  }
  if (p.zero_points.size() != p.scales.size()) return std::nullopt;
  if (s.data->rank() == 1 && !(s.data->numel() == 1 && !n.has_attr("axis")))
    p.axis = static_cast<int>(n.attr_int("axis", 1));
  return p;
}

namespace {
Tensor scale_tensor(const QuantParams& p) {
  const int64_t c = static_cast<int64_t>(p.scales.size());
  return p.per_channel() ? Tensor::from_vector<float>({c}, p.scales) : Tensor::scalar<float>(p.scales.at(0));
}
}  // namespace

std::pair<ir::ValueId, ir::ValueId> add_qdq(ir::Graph& g, ir::ValueId v, const QuantParams& p,
                                            std::map<int32_t, ir::ValueId>* zero_points) {
  ETCH_CHECK(!p.per_channel() && p.scales.size() == 1) << "activations are quantized per tensor";
  // Short names: in a small model the names of the added tensors and nodes
  // are a visible part of the file size.
  const std::string base = short_name('a', v);
  const ir::ValueId s = g.add_constant(g.unique_name(base + "s"), scale_tensor(p));
  const int32_t zp = p.zero_points.at(0);
  ir::ValueId z = ir::kNoValue;
  if (zero_points && zero_points->count(zp)) {
    z = zero_points->at(zp);
  } else {
    std::string zname = base + "z";
    if (zero_points) {
      zname = zp < 0 ? "zm" : "z";
      zname += std::to_string(zp < 0 ? -zp : zp);
    }
    z = g.add_constant(g.unique_name(zname), Tensor::scalar<int8_t>(static_cast<int8_t>(zp)));
    if (zero_points) (*zero_points)[zp] = z;
  }
  const ir::Value& val = g.value(v);
  const ir::ValueId q = g.add_value(g.unique_name(base + "q"), DType::I8, val.shape, val.has_shape);
  g.add_node(kQuantizeLinear, {v, s, z}, {q}, g.value(q).name);
  const ir::ValueId dq = g.add_value(g.unique_name(base + "d"), DType::F32, g.value(v).shape, g.value(v).has_shape);
  g.add_node(kDequantizeLinear, {q, s, z}, {dq}, g.value(dq).name);
  return {q, dq};
}

ir::ValueId add_dequantize_const(ir::Graph& g, ir::ValueId q, const QuantParams& p, const std::string& name) {
  const ir::ValueId s = g.add_constant(g.unique_name(name + "s"), scale_tensor(p));
  const ir::Value& qv = g.value(q);
  const ir::ValueId out = g.add_value(g.unique_name(name + "d"), DType::F32, qv.shape, qv.has_shape);
  std::map<std::string, ir::Attribute> attrs;
  if (p.per_channel()) attrs["axis"] = int64_t{p.axis};
  g.add_node(kDequantizeLinear, {q, s}, {out}, g.value(out).name, attrs);
  return out;
}

bool clamp_is_redundant(float lo, float hi, const QuantParams& p) {
  if (p.per_channel() || p.scales.size() != 1 || p.zero_points.size() != 1) return false;
  const double s = p.scales[0], zp = p.zero_points[0];
  if (!(s > 0) || !std::isfinite(s)) return false;
  constexpr double kQMin = -128, kQMax = 127, kMargin = 1e-3;
  // x/s + zp rounds to <= qmin for every x <= lo, and to >= qmax for every x >= hi.
  const bool low = std::isinf(lo) ? lo < 0 : static_cast<double>(lo) / s + zp <= kQMin + 0.5 - kMargin;
  const bool high = std::isinf(hi) ? hi > 0 : static_cast<double>(hi) / s + zp >= kQMax - 0.5 + kMargin;
  return low && high;
}

std::string short_name(char prefix, int id) {
  std::string s(1, prefix);
  s += std::to_string(id);
  return s;
}

const ir::Node* producer_of(const ir::Graph& g, ir::ValueId v) {
  if (v == ir::kNoValue) return nullptr;
  const int p = g.value(v).producer;
  return p < 0 ? nullptr : g.find_node(p);
}

double sqnr_db(const Tensor& x, const Tensor& y) {
  ETCH_CHECK(x.numel() == y.numel()) << "sqnr of tensors of different sizes";
  const std::vector<float> a = x.to_float_vector(), b = y.to_float_vector();
  double sig = 0, noise = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sig += static_cast<double>(a[i]) * a[i];
    const double d = static_cast<double>(a[i]) - b[i];
    noise += d * d;
  }
  if (noise == 0) return std::numeric_limits<double>::infinity();
  if (sig == 0) return -std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(sig / noise);
}

}  // namespace etch::quant
