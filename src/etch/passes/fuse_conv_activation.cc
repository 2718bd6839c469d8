#include "etch/passes/fuse_conv_activation.h"

#include "etch/ir/ops/qint_ops.h"
#include "etch/passes/activation_fusion.h"

namespace etch::passes {
namespace {
// The pass's target op, and the fused op it becomes.
constexpr const char* kTargetOp = "Conv";
constexpr const char* kFusedOp = "FusedConv";
}  // namespace

bool fuse_conv_activation(ir::Graph& g, const PassContext&) {
  bool changed = false;
  for (;;) {
    std::optional<ActivationFusion> f;
    for (const auto& n : g.nodes()) {
      if (n.op_type != kTargetOp || !n.domain.empty() || g.value(n.inputs[0]).dtype != DType::F32) continue;
      if ((f = fused_activation(g, n))) break;
    }
    if (!f) return changed;
    const ir::ValueId out = g.find_node(f->activation)->outputs[0];
    g.remove_nodes({f->activation});
    ir::Node& conv = *g.find_node(f->producer);
    conv.op_type = kFusedOp;
    conv.domain = ir::kEtchDomain;
    if (f->kind == "relu") {
      conv.attrs["activation"] = ir::Attribute(std::string("Relu"));
    } else {
      conv.attrs["activation"] = ir::Attribute(std::string("Clip"));
      conv.attrs["activation_params"] = ir::Attribute(std::vector<float>{f->lo, f->hi});
    }
    conv.outputs[0] = out;
    g.rebuild_producers();
    changed = true;
  }
}

}  // namespace etch::passes
