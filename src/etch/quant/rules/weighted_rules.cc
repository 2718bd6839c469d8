// Conv and Gemm (transB = 1): int8 activation input, int8/int4 symmetric
// weight (per channel on axis 0 or per tensor), int32 bias on the
// accumulator's scale, a fused Relu/Clip as the output clamp
//   DQ(x), DQ(w), [DQ(b)] -> Conv | Gemm -> [Relu | Clip] -> Q  =>  QConv | QGemm
#include <cmath>

#include "etch/ir/ops/qint_ops.h"
#include "etch/quant/qdq_lowering.h"
#include "etch/quant/qparams.h"
#include "etch/quant/quant_rule.h"

namespace etch::quant {
namespace {

std::string conv_why_not(const ir::Graph&, const ir::Node& n, const ir::Value&) {
  if (n.attr_string("auto_pad", "NOTSET") != "NOTSET") return "auto_pad is set (QConv takes explicit pads)";
  return "";
}

std::string gemm_why_not(const ir::Graph&, const ir::Node& n, const ir::Value&) {
  if (n.attr_int("transB", 0) != 1 || n.attr_int("transA", 0) != 0)
    return "not in canonical form (transA = 0, transB = 1)";
  if (n.attr_float("alpha", 1.0f) != 1.0f || n.attr_float("beta", 1.0f) != 1.0f) return "alpha or beta is not 1";
  return "";
}

// The integer bias: a float one converted on the accumulator's scale (the rule
// PTQ uses), or an int32 one already behind DequantizeLinear on that scale.
// kNoValue with true: no bias; false: a bias of another form.
bool integer_bias(QdqLowering& l, const ir::Node& core, float sx, const QuantParams& wp, int64_t m, ir::ValueId* out) {
  const ir::Graph& g = l.graph();
  *out = ir::kNoValue;
  if (!core.has_input(2)) return true;
  const ir::Value& fb = g.value(core.inputs[2]);
  if (fb.data && fb.data->dtype() == DType::F32) {
    if (fb.data->numel() != m) return false;
    std::vector<double> b(static_cast<size_t>(m));
    for (int64_t c = 0; c < m; ++c) b[c] = fb.data->data<float>()[c];
    *out = l.constant(fb.name + "_int", int32_bias(b, sx, wp));
    return true;
  }
  auto b = through_dq(g, core.inputs[2]);
  if (!b || !g.value(b->q).data || g.value(b->q).dtype != DType::I32 || g.value(b->q).data->numel() != m) return false;
  for (int64_t c = 0; c < m; ++c) {
    const float want = sx * wp.scales[wp.per_channel() ? c : 0];
    const float have = b->p.scales[b->p.per_channel() ? c : 0];
    if (std::fabs(have - want) > 1e-6f * want) return false;
  }
  *out = b->q;
  return true;
}

bool lower_weighted(QdqLowering& l, const QdqGroup& grp, bool conv) {
  ir::Graph& g = l.graph();
  const ir::Node& core = grp.core;
  auto x = l.act_dq(core.inputs[0]);
  auto w = weight_of(g, core.inputs[1]);
  if (!x || !w) return false;
  const int64_t m = w->first.dim(0);
  const float sx = x->p.scales[0], sy = grp.y.scales[0];
  ir::ValueId bias = ir::kNoValue;
  if (!integer_bias(l, core, sx, w->second, m, &bias)) return false;
  IntegerOpAttrs a;
  if (conv) {
    for (const char* k : {"strides", "pads", "dilations"})
      if (core.has_attr(k)) a[k] = core.attrs.at(k);
    a["group"] = core.attr_int("group", 1);
    a["kernel_shape"] = core.has_attr("kernel_shape") ? core.attr_ints("kernel_shape")
                                                      : Shape(w->first.shape().begin() + 2, w->first.shape().end());
  }
  a["x_zero_point"] = int64_t{x->p.zero_points[0]};
  a["y_zero_point"] = int64_t{grp.y.zero_points[0]};
  std::vector<double> reals;
  std::vector<float> ws;
  for (int64_t c = 0; c < (w->second.per_channel() ? m : 1); ++c) {
    ws.push_back(w->second.scales[c]);
    reals.push_back(static_cast<double>(sx) * w->second.scales[c] / sy);
  }
  add_requant(a, reals);
  add_activation(g, a, grp.activation, sy, grp.y.zero_points[0]);
  a["x_scale"] = sx;
  a["w_scales"] = ws;
  a["y_scale"] = sy;
  const ir::ValueId wv = l.constant(g.value(core.inputs[1]).name + "_int", w->first);
  std::vector<ir::ValueId> ins{x->q, wv};
  if (bias != ir::kNoValue) ins.push_back(bias);
  g.add_node(conv ? "QConv" : "QGemm", ins, {grp.q.outputs[0]}, core.name, a, ir::kEtchDomain);
  return true;
}

bool lower_conv(QdqLowering& l, const QdqGroup& grp) { return lower_weighted(l, grp, true); }
bool lower_gemm(QdqLowering& l, const QdqGroup& grp) { return lower_weighted(l, grp, false); }

}  // namespace

ETCH_REGISTER_QUANT_RULE({.name = "conv",
                          .op_types = {"Conv"},
                          .weights = true,
                          .weight_rank = 4,
                          .fuses_activation = true,
                          .why_not = conv_why_not,
                          .lower = lower_conv});
ETCH_REGISTER_QUANT_RULE({.name = "gemm",
                          .op_types = {"Gemm"},
                          .weights = true,
                          .weight_rank = 2,
                          .fuses_activation = true,
                          .why_not = gemm_why_not,
                          .lower = lower_gemm});

}  // namespace etch::quant
