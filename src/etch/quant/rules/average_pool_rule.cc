// AveragePool and GlobalAveragePool over NCHW int8: the window sum times one
// requantization multiplier s_x / (s_y · window size)
//   DQ(x) -> AveragePool | GlobalAveragePool -> Q  =>  QAveragePool
#include <algorithm>

#include "etch/ir/ops/qint_ops.h"
#include "etch/quant/qdq_lowering.h"
#include "etch/quant/quant_rule.h"
#include "etch/runtime/requantize.h"

namespace etch::quant {
namespace {

std::string rank4(const ir::Value& x) {
  if (!x.has_shape || x.shape.size() != 4) return "input is not a 4-D NCHW tensor of known shape";
  return "";
}

std::string global_why_not(const ir::Graph&, const ir::Node&, const ir::Value& x) {
  if (auto r = rank4(x); !r.empty()) return r;
  if (x.shape[2] <= 0 || x.shape[3] <= 0) return "spatial size not known";
  return "";
}

std::string average_why_not(const ir::Graph&, const ir::Node& n, const ir::Value& x) {
  if (auto r = rank4(x); !r.empty()) return r;
  if (n.attr_string("auto_pad", "NOTSET") != "NOTSET") return "auto_pad is set";
  if (n.attr_int("ceil_mode", 0) != 0) return "ceil_mode is set";
  // QAveragePool divides by the whole window (count_include_pad); ONNX's
  // default excludes padding, which only matters when there is padding.
  const auto pads = n.attr_ints("pads");
  if (std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p != 0; }) &&
      n.attr_int("count_include_pad", 0) == 0)
    return "padded window without count_include_pad";
  return "";
}

bool lower_pool(QdqLowering& l, const QdqGroup& grp, bool global) {
  ir::Graph& g = l.graph();
  const ir::Node& core = grp.core;
  auto x = l.act_dq(core.inputs[0]);
  if (!x) return false;
  const ir::Value& xv = g.value(x->q);
  if (!(global ? global_why_not : average_why_not)(g, core, xv).empty()) return false;
  IntegerOpAttrs a;
  std::vector<int64_t> k;
  if (global) {
    k = {xv.shape[2], xv.shape[3]};
  } else {
    k = core.attr_ints("kernel_shape");
    for (const char* key : {"strides", "pads"})
      if (core.has_attr(key)) a[key] = core.attrs.at(key);
  }
  a["kernel_shape"] = k;
  a["x_zero_point"] = int64_t{x->p.zero_points[0]};
  a["y_zero_point"] = int64_t{grp.y.zero_points[0]};
  const auto qm = runtime::quantize_multiplier(
      static_cast<double>(x->p.scales[0]) / (static_cast<double>(grp.y.scales[0]) * static_cast<double>(k[0] * k[1])));
  a["multiplier"] = int64_t{qm.multiplier};
  a["shift"] = int64_t{qm.shift};
  a["x_scale"] = x->p.scales[0];
  a["y_scale"] = grp.y.scales[0];
  g.add_node("QAveragePool", {x->q}, {grp.q.outputs[0]}, core.name, a, ir::kEtchDomain);
  return true;
}

bool lower_average(QdqLowering& l, const QdqGroup& grp) { return lower_pool(l, grp, false); }
bool lower_global(QdqLowering& l, const QdqGroup& grp) { return lower_pool(l, grp, true); }

}  // namespace

ETCH_REGISTER_QUANT_RULE(
    {.name = "average-pool", .op_types = {"AveragePool"}, .why_not = average_why_not, .lower = lower_average});
ETCH_REGISTER_QUANT_RULE({.name = "global-average-pool",
                          .op_types = {"GlobalAveragePool"},
                          .why_not = global_why_not,
                          .lower = lower_global});

}  // namespace etch::quant
