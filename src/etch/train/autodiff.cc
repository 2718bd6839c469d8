#include "etch/train/autodiff.h"

#include <algorithm>

#include "etch/ir/op_registry.h"
#include "etch/runtime/interpreter.h"
#include "etch/train/gradient.h"

namespace etch::train {

namespace {
// `owned`: g is a fresh tensor nobody else references, so the first gradient
// can be taken over instead of copied (a pass-through rule such as Reshape or
// Add returns a view of its output gradient, which must be copied).
void add_into(Tensor& acc, const Tensor& g, bool owned = false) {
  if (!acc.defined()) {
    acc = owned ? g : g.clone();
    return;
  }
  ETCH_CHECK(acc.shape() == g.shape()) << "gradient shape " << shape_str(g.shape()) << " vs " << shape_str(acc.shape());
  float* a = acc.data<float>();
  const float* b = g.data<float>();
  for (int64_t i = 0; i < acc.numel(); ++i) a[i] += b[i];
}

}  // namespace

Autodiff::Autodiff(ir::Graph& g, const std::set<std::string>& frozen, bool input_grads, bool any_constant) : graph_(g) {
  const int nv = g.num_values();
  param_of_value_.assign(nv, -1);
  requires_grad_.assign(nv, false);
  for (ir::ValueId v : g.inputs) requires_grad_[v] = input_grads && g.value(v).dtype == DType::F32;
  std::vector<std::string> missing;
  for (const auto& n : g.nodes()) {
    const GradRule* rule = find_grad(n.op_type);
    bool any = false;
    if (rule) {
      for (int i : rule->differentiable_inputs) {
        if (!n.has_input(i)) continue;
        ir::ValueId v = n.inputs[i];
        const ir::Value& val = g.value(v);
        if (val.is_constant() && val.producer < 0 && val.dtype == DType::F32 && !frozen.count(val.name) &&
            param_of_value_[v] < 0 &&
            (any_constant || std::find(rule->parameter_inputs.begin(), rule->parameter_inputs.end(), i) !=
                                 rule->parameter_inputs.end())) {
          param_of_value_[v] = static_cast<int>(params_.size());
          params_.push_back(Param{v, val.name, *val.data, Tensor(DType::F32, val.data->shape())});
          requires_grad_[v] = true;
        }
        any = any || requires_grad_[v];
      }
    } else {
      for (ir::ValueId v : n.inputs)
        if (v != ir::kNoValue && requires_grad_[v]) any = true;
      // Ops with only non-float outputs (Shape, ArgMax, comparisons) stop the
      // gradient without needing a rule.
      bool float_out = false;
      for (ir::ValueId o : n.outputs) float_out = float_out || g.value(o).dtype == DType::F32;
      if (any && float_out) missing.push_back("'" + n.name + "' (" + n.op_type + ")");
    }
    for (ir::ValueId o : n.outputs) requires_grad_[o] = any && g.value(o).dtype == DType::F32;
  }
  if (!missing.empty()) {
    std::string list;
    for (size_t i = 0; i < missing.size(); ++i) list += (i ? ", " : "") + missing[i];
    ETCH_FAIL(Unsupported) << "cannot train this model: no gradient rule for " << list;
  }
}

std::vector<Tensor> Autodiff::forward(const std::vector<Tensor>& inputs, bool training, uint64_t seed) {
  const ir::Graph& g = graph_;
  ETCH_REQUIRE(inputs.size() == g.inputs.size(), InvalidInput)
      << "model expects " << g.inputs.size() << " input(s), got " << inputs.size();
  ir::set_current_opset(g.opset);
  env_.assign(g.num_values(), Tensor());
  for (size_t i = 0; i < inputs.size(); ++i) env_[g.inputs[i]] = inputs[i];
  for (int v = 0; v < g.num_values(); ++v)
    if (g.value(v).data) env_[v] = *g.value(v).data;
  const auto& nodes = g.nodes();
  node_outputs_.assign(nodes.size(), {});
  saved_.assign(nodes.size(), std::any());
  for (size_t ni = 0; ni < nodes.size(); ++ni) {
    const ir::Node& n = nodes[ni];
    std::vector<const Tensor*> ins(n.inputs.size(), nullptr);
    std::vector<Tensor*> mins(n.inputs.size(), nullptr);
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      if (n.inputs[i] == ir::kNoValue) continue;
      ins[i] = &env_[n.inputs[i]];
      mins[i] = &env_[n.inputs[i]];
    }
    const GradRule* rule = find_grad(n.op_type);
    std::vector<Tensor> outs;
    if (training && rule && rule->forward_train) {
      outs = runtime::allocate_outputs(n, ins, /*zero_fill=*/false);
      ForwardTrainContext ctx{n, ins, outs, saved_[ni], seed * 1000003ULL + static_cast<uint64_t>(ni), mins};
      rule->forward_train(ctx);
    } else {
      outs = runtime::run_node(n, ins);
    }
    for (size_t i = 0; i < n.outputs.size(); ++i) env_[n.outputs[i]] = outs[i];
    node_outputs_[ni] = std::move(outs);
  }
  std::vector<Tensor> out;
  for (ir::ValueId v : g.outputs) out.push_back(env_[v]);
  return out;
}

void Autodiff::backward(const std::vector<Tensor>& output_grads) {
  const ir::Graph& g = graph_;
  ETCH_CHECK(output_grads.size() == g.outputs.size()) << "one gradient per graph output expected";
  std::vector<Tensor> grads(g.num_values());
  for (size_t i = 0; i < output_grads.size(); ++i)
    if (output_grads[i].defined() && requires_grad_[g.outputs[i]]) add_into(grads[g.outputs[i]], output_grads[i]);
  const auto& nodes = g.nodes();
  for (size_t k = nodes.size(); k-- > 0;) {
    const ir::Node& n = nodes[k];
    bool has_out_grad = false;
    std::vector<const Tensor*> gouts(n.outputs.size(), nullptr);
    for (size_t i = 0; i < n.outputs.size(); ++i)
      if (grads[n.outputs[i]].defined()) {
        gouts[i] = &grads[n.outputs[i]];
        has_out_grad = true;
      }
    if (!has_out_grad) continue;
    const GradRule* rule = find_grad(n.op_type);
    ETCH_CHECK(rule) << n.describe() << " has no gradient rule";
    std::vector<const Tensor*> ins(n.inputs.size(), nullptr);
    std::vector<bool> needs(n.inputs.size(), false);
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      if (n.inputs[i] == ir::kNoValue) continue;
      ins[i] = &env_[n.inputs[i]];
      needs[i] = requires_grad_[n.inputs[i]];
    }
    // Undefined output gradients are zeros of the output's shape.
    std::vector<Tensor> zeros;
    zeros.reserve(n.outputs.size());
    for (size_t i = 0; i < n.outputs.size(); ++i)
      if (!gouts[i] && node_outputs_[k][i].dtype() == DType::F32) {
        zeros.emplace_back(DType::F32, node_outputs_[k][i].shape());
        gouts[i] = &zeros.back();
      }
    GradContext ctx{n, ins, node_outputs_[k], gouts, saved_[k], needs, std::vector<Tensor>(n.inputs.size())};
    rule->backward(ctx);
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      if (!needs[i] || !ctx.input_grads[i].defined()) continue;
      const uint8_t* p = ctx.input_grads[i].raw();
      bool owned = true;
      for (const Tensor* go : gouts) owned = owned && !(go && go->raw() == p);
      for (size_t j = 0; j < n.inputs.size(); ++j)
        owned = owned && (j == i || !ctx.input_grads[j].defined() || ctx.input_grads[j].raw() != p);
      add_into(grads[n.inputs[i]], ctx.input_grads[i], owned);
    }
    for (ir::ValueId o : n.outputs) grads[o] = Tensor();  // free as we go
  }
  for (auto& p : params_)
    if (grads[p.value].defined()) add_into(p.grad, grads[p.value]);
  input_grads_.clear();
  for (ir::ValueId v : g.inputs) input_grads_.push_back(grads[v]);
}

void Autodiff::zero_grad() {
  for (auto& p : params_) std::fill(p.grad.data<float>(), p.grad.data<float>() + p.grad.numel(), 0.0f);
}

}  // namespace etch::train
