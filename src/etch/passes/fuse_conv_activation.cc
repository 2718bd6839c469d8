#include "etch/passes/fuse_conv_activation.h"

#include "etch/ir/op_registry.h"
#include "etch/ir/ops/qint_ops.h"
#include "etch/passes/activation_fusion.h"

namespace etch::passes {
namespace {
// The fused op a float Conv becomes.
constexpr const char* kFusedOp = "FusedConv";
}  // namespace

bool fuse_conv_activation(ir::Graph& g, const PassContext&) {
  bool changed = false;
  for (;;) {
    std::optional<ActivationFusion> f;
    for (const auto& n : g.nodes()) {
      if (!ir::is_float_conv(g, n)) continue;
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
