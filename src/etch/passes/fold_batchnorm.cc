#include "etch/passes/fold_batchnorm.h"

#include <algorithm>
#include <cmath>

#include "etch/ir/op_registry.h"

namespace etch::passes {

namespace {
const Tensor* const_input(const ir::Graph& g, const ir::Node& n, size_t i) {
  if (!n.has_input(i)) return nullptr;
  const ir::Value& v = g.value(n.inputs[i]);
  return v.data && v.data->dtype() == DType::F32 ? &*v.data : nullptr;
}

// Output-channel count and layout of the producer's weight, or 0 when it cannot be folded.
// The producers are a float Conv, or a Gemm (MAC form kGemm in the default domain).
bool is_gemm(const ir::Node& p) {
  const ir::MacForm* m = ir::mac_form(p);
  return m && m->kind == ir::MacForm::kGemm && p.domain.empty() && m->weight_input == 1;
}

int64_t out_channels(const ir::Graph& g, const ir::Node& p) {
  const Tensor* w = const_input(g, p, 1);
  if (!w) return 0;
  if (ir::is_float_conv(g, p) && w->rank() >= 3) return w->dim(0);
  if (is_gemm(p) && w->rank() == 2 && p.attr_int("transA", 0) == 0 && p.attr_float("alpha", 1.0f) == 1.0f &&
      p.attr_float("beta", 1.0f) == 1.0f)
    return p.attr_int("transB", 0) ? w->dim(0) : w->dim(1);
  return 0;
}
}  // namespace

bool fold_batchnorm(ir::Graph& g, const PassContext&) {
  bool changed = false;
  for (const ir::Node& bn : std::vector<ir::Node>(g.nodes())) {
    if (!ir::has_trait(bn, ir::OpTrait::kChannelAffine) || bn.outputs.size() != 1 || bn.attr_int("training_mode", 0))
      continue;
    const ir::ValueId x = bn.inputs[0];
    const ir::Value& xv = g.value(x);
    if (xv.producer < 0 || g.consumers(x).size() != 1) continue;
    if (std::find(g.outputs.begin(), g.outputs.end(), x) != g.outputs.end()) continue;
    ir::Node* p = g.find_node(xv.producer);
    const int64_t c = out_channels(g, *p);
    const Tensor *scale = const_input(g, bn, 1), *beta = const_input(g, bn, 2), *mean = const_input(g, bn, 3),
                 *var = const_input(g, bn, 4);
    if (c == 0 || !scale || !beta || !mean || !var || scale->numel() != c) continue;
    const float eps = bn.attr_float("epsilon", 1e-5f);
    std::vector<float> k(c), shift(c);
    for (int64_t i = 0; i < c; ++i) {
      k[i] = scale->data<float>()[i] / std::sqrt(var->data<float>()[i] + eps);
      shift[i] = beta->data<float>()[i] - mean->data<float>()[i] * k[i];
    }
    Tensor w = const_input(g, *p, 1)->clone();
    const bool gemm_kn = is_gemm(*p) && p->attr_int("transB", 0) == 0;  // W is [K, N]
    const int64_t per = w.numel() / c;
    float* wd = w.data<float>();
    for (int64_t i = 0; i < w.numel(); ++i) wd[i] *= k[gemm_kn ? i % c : i / per];
    Tensor b(DType::F32, {c});
    const Tensor* old_b = const_input(g, *p, 2);
    if (p->has_input(2) && (!old_b || old_b->numel() != c)) continue;  // broadcast or non-constant bias
    for (int64_t i = 0; i < c; ++i) b.data<float>()[i] = (old_b ? old_b->data<float>()[i] * k[i] : 0.0f) + shift[i];
    const std::string wname = g.value(p->inputs[1]).name;
    p->inputs[1] = g.add_constant(g.unique_name(wname + "_bnfold"), std::move(w));
    const ir::ValueId bias_id = g.add_constant(g.unique_name(p->name + ".bias_bnfold"), std::move(b));
    if (p->inputs.size() < 3) p->inputs.resize(3, ir::kNoValue);
    p->inputs[2] = bias_id;
    // The producer now writes the BatchNorm's output value (keeps its name).
    p->outputs[0] = bn.outputs[0];
    g.remove_nodes({bn.id});
    g.rebuild_producers();
    changed = true;
  }
  return changed;
}

}  // namespace etch::passes
