#include "etch/passes/canonicalize_gemm.h"

#include <optional>

#include "etch/ir/op_registry.h"

namespace etch::passes {

namespace {
// What a MatMul becomes (the Gemm form is the one the later stages take).
constexpr const char* kGemm = "Gemm";

// A float Gemm or MatMul as ONNX defines it: data input 0, weight input 1.
std::optional<ir::MacForm::Kind> gemm_or_matmul(const ir::Node& n) {
  const ir::MacForm* m = ir::mac_form(n);
  if (!m || !n.domain.empty() || m->data_input != 0 || m->weight_input != 1) return std::nullopt;
  if (m->kind != ir::MacForm::kGemm && m->kind != ir::MacForm::kMatMul) return std::nullopt;
  return m->kind;
}
const Tensor* f32_const(const ir::Graph& g, const ir::Node& n, size_t i) {
  if (!n.has_input(i)) return nullptr;
  const ir::Value& v = g.value(n.inputs[i]);
  return v.data && v.data->dtype() == DType::F32 ? &*v.data : nullptr;
}

Tensor transpose2d(const Tensor& b) {
  const int64_t k = b.dim(0), n = b.dim(1);
  Tensor t(DType::F32, {n, k});
  const float* s = b.data<float>();
  float* d = t.data<float>();
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < n; ++j) d[j * k + i] = s[i * n + j];
  return t;
}

bool rank2_input(const ir::Graph& g, const ir::Node& n) {
  const ir::Value& x = g.value(n.inputs[0]);
  return x.has_shape && x.shape.size() == 2;
}
}  // namespace

bool canonicalize_gemm(ir::Graph& g, const PassContext&) {
  bool changed = false;
  for (ir::Node& n : g.nodes()) {
    const auto kind = gemm_or_matmul(n);
    if (!kind) continue;
    const bool gemm = *kind == ir::MacForm::kGemm, matmul = !gemm;
    const Tensor* b = f32_const(g, n, 1);
    if (!b || b->rank() != 2 || !rank2_input(g, n)) continue;
    if (gemm &&
        (n.attr_int("transA", 0) != 0 || n.attr_float("alpha", 1.0f) != 1.0f || n.attr_float("beta", 1.0f) != 1.0f))
      continue;
    const bool trans_b = gemm && n.attr_int("transB", 0) != 0;
    const int64_t out = trans_b ? b->dim(0) : b->dim(1);
    if (!trans_b) {
      const std::string name = g.value(n.inputs[1]).name;
      n.inputs[1] = g.add_constant(g.unique_name(name + "_t"), transpose2d(*b));
      n.attrs["transB"] = int64_t{1};
      changed = true;
    }
    if (matmul) {
      n.op_type = kGemm;
      n.attrs = {{"transB", int64_t{1}}};
      changed = true;
    }
    const Tensor* c = f32_const(g, n, 2);
    if (c && c->rank() != 1 && c->numel() == out) {
      const std::string name = g.value(n.inputs[2]).name;
      n.inputs[2] = g.add_constant(g.unique_name(name + "_flat"), c->clone().reshaped({out}));
      changed = true;
    }
  }
  return changed;
}

}  // namespace etch::passes
