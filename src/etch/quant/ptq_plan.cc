#include "etch/quant/ptq_plan.h"

#include <algorithm>

#include "etch/passes/activation_fusion.h"

namespace etch::quant {

bool QuantPlan::contains(ir::ValueId v) const { return std::find(values.begin(), values.end(), v) != values.end(); }

bool is_lut_op(const ir::Node& n) {
  static const std::set<std::string> ops = {"Sigmoid",   "Tanh", "HardSwish", "HardSigmoid", "Relu",     "Clip",
                                            "LeakyRelu", "Elu",  "Selu",      "Softplus",    "Softsign", "Erf",
                                            "Exp",       "Neg",  "Abs",       "Gelu",        "Mish"};
  if (!n.domain.empty() || !ops.count(n.op_type) || n.outputs.size() != 1) return false;
  for (size_t i = 1; i < n.inputs.size(); ++i)
    if (n.inputs[i] != ir::kNoValue) return n.op_type == "Clip";  // Clip bounds must be constants (checked later)
  return true;
}

bool is_data_movement(const ir::Node& n) {
  static const std::set<std::string> ops = {"MaxPool", "Reshape",   "Flatten", "Transpose",
                                            "Squeeze", "Unsqueeze", "Identity"};
  return n.domain.empty() && ops.count(n.op_type) && n.outputs.size() == 1;
}

namespace {
bool float_activation(const ir::Graph& g, ir::ValueId v) {
  const ir::Value& val = g.value(v);
  return !val.is_constant() && val.dtype == DType::F32;
}

bool const_f32(const ir::Graph& g, const ir::Node& n, size_t i) {
  if (!n.has_input(i)) return false;
  const ir::Value& v = g.value(n.inputs[i]);
  return v.data && v.data->dtype() == DType::F32;
}

bool weighted(const ir::Graph& g, const ir::Node& n) {
  if (!n.domain.empty() || n.outputs.size() != 1 || !float_activation(g, n.inputs[0]) || !const_f32(g, n, 1))
    return false;
  const Tensor& w = *g.value(n.inputs[1]).data;
  const int64_t m = w.rank() > 0 ? w.dim(0) : 0;
  if (n.has_input(2) && !(const_f32(g, n, 2) && g.value(n.inputs[2]).data->numel() == m)) return false;
  if (n.op_type == "Conv") return w.rank() == 4 && n.attr_string("auto_pad", "NOTSET") == "NOTSET";
  if (n.op_type == "Gemm")
    return w.rank() == 2 && n.attr_int("transB", 0) == 1 && n.attr_int("transA", 0) == 0 &&
           n.attr_float("alpha", 1.0f) == 1.0f && n.attr_float("beta", 1.0f) == 1.0f;
  return false;
}

bool integer_pool(const ir::Graph& g, const ir::Node& n) {
  if (!n.domain.empty() || !float_activation(g, n.inputs[0])) return false;
  const ir::Value& x = g.value(n.inputs[0]);
  if (!x.has_shape || x.shape.size() != 4) return false;
  if (n.op_type == "GlobalAveragePool") return x.shape[2] > 0 && x.shape[3] > 0;
  if (n.op_type != "AveragePool") return false;
  const auto pads = n.attr_ints("pads");
  const bool padded = std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p != 0; });
  // QAveragePool divides by the whole window (count_include_pad); ONNX's
  // default excludes padding, which only matters when there is padding.
  return n.attr_string("auto_pad", "NOTSET") == "NOTSET" && n.attr_int("ceil_mode", 0) == 0 &&
         (!padded || n.attr_int("count_include_pad", 0) == 1);
}
}  // namespace

QuantPlan plan_quantization(const ir::Graph& g, const std::set<std::string>& keep_float) {
  QuantPlan plan;
  std::set<ir::ValueId> q;
  std::set<ir::NodeId> absorbed;  // activations fused into their producer
  auto mark = [&](ir::ValueId v) {
    if (q.insert(v).second) plan.values.push_back(v);
  };
  for (const ir::Node& n : g.nodes()) {
    if (absorbed.count(n.id) || keep_float.count(n.name)) continue;
    const bool compute = weighted(g, n) || integer_pool(g, n) ||
                         (n.op_type == "Add" && n.domain.empty() && n.inputs.size() == 2 &&
                          float_activation(g, n.inputs[0]) && float_activation(g, n.inputs[1]));
    if (compute) {
      ir::ValueId out = n.outputs[0];
      if (auto f = passes::fused_activation(g, n); f && !keep_float.count(g.find_node(f->activation)->name)) {
        absorbed.insert(f->activation);
        out = g.find_node(f->activation)->outputs[0];
        plan.fused[out] = f->activation;
      }
      for (size_t i = 0; i < (n.op_type == "Add" ? 2u : 1u); ++i) mark(n.inputs[i]);
      mark(out);
      if (weighted(g, n)) plan.layers.push_back({n.id, n.inputs[0], out});
      continue;
    }
    if (n.inputs.empty() || !q.count(n.inputs[0])) continue;
    if (is_data_movement(n)) {
      mark(n.outputs[0]);
      plan.shared[n.outputs[0]] = n.inputs[0];
    } else if (is_lut_op(n)) {
      if (n.op_type == "Clip" && !passes::activation_bounds(g, n)) continue;
      mark(n.outputs[0]);
    }
  }
  // Outputs in [0, 1]: 1/256 and -128, so the int8 grid covers [0, 1) exactly
  // (DESIGN.md), whatever the calibration data showed.
  for (ir::ValueId v : plan.values) {
    const int p = g.value(v).producer;
    const ir::Node* n = p < 0 ? nullptr : g.find_node(p);
    if (n && n->domain.empty() && (n->op_type == "Sigmoid" || n->op_type == "HardSigmoid" || n->op_type == "Softmax"))
      plan.fixed[v] = QuantParams{{1.0f / 256.0f}, {-128}, -1};
  }
  // Resolve chains of sharing to the calibrated root.
  for (auto& [v, src] : plan.shared)
    while (plan.shared.count(src)) src = plan.shared.at(src);
  return plan;
}

}  // namespace etch::quant
