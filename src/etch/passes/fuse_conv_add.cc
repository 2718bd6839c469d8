#include "etch/passes/fuse_conv_add.h"

#include <algorithm>

#include "etch/ir/op_registry.h"
#include "etch/ir/ops/qint_ops.h"
#include "etch/passes/activation_fusion.h"

namespace etch::passes {
namespace {

bool is_graph_output(const ir::Graph& g, ir::ValueId v) {
  return std::find(g.outputs.begin(), g.outputs.end(), v) != g.outputs.end();
}

bool static_f32(const ir::Value& v) { return v.dtype == DType::F32 && v.has_shape && shape_is_static(v.shape); }

struct Match {
  ir::NodeId conv = -1, add = -1;
  ir::ValueId z = ir::kNoValue;
  ActivationFusion act;
};

// The Add + activation that can join the Conv at node position `pos`.
std::optional<Match> joinable(const ir::Graph& g, size_t pos) {
  const ir::Node& conv = g.nodes()[pos];
  if (!ir::is_float_conv(g, conv) || conv.outputs.size() != 1) return std::nullopt;
  const ir::ValueId y = conv.outputs[0];
  if (!static_f32(g.value(conv.inputs[0])) || !static_f32(g.value(y)) || is_graph_output(g, y)) return std::nullopt;
  const auto users = g.consumers(y);
  if (users.size() != 1) return std::nullopt;
  const ir::Node* add = g.find_node(users[0]);
  if (!add || add->op_type != "Add" || !add->domain.empty() || add->inputs.size() != 2) return std::nullopt;
  const ir::ValueId z = add->inputs[0] == y ? add->inputs[1] : add->inputs[0];
  if (z == y || !static_f32(g.value(z)) || g.value(z).shape != g.value(y).shape) return std::nullopt;
  // Z must exist when the conv runs: a graph input, a constant, or produced by an earlier node.
  for (size_t i = pos; i < g.nodes().size(); ++i)
    for (ir::ValueId o : g.nodes()[i].outputs)
      if (o == z) return std::nullopt;
  const std::optional<ActivationFusion> act = fused_activation(g, *add);
  if (!act) return std::nullopt;
  return Match{conv.id, add->id, z, *act};
}

}  // namespace

bool fuse_conv_add(ir::Graph& g, const PassContext&) {
  bool changed = false;
  for (;;) {
    std::optional<Match> m;
    for (size_t i = 0; i < g.nodes().size() && !m; ++i) m = joinable(g, i);
    if (!m) return changed;
    const ir::ValueId out = g.find_node(m->act.activation)->outputs[0];
    g.remove_nodes({m->add, m->act.activation});
    ir::Node& conv = *g.find_node(m->conv);
    conv.op_type = "FusedConv";
    conv.domain = ir::kEtchDomain;
    if (m->act.kind == "relu") {
      conv.attrs["activation"] = ir::Attribute(std::string("Relu"));
    } else {
      conv.attrs["activation"] = ir::Attribute(std::string("Clip"));
      conv.attrs["activation_params"] = ir::Attribute(std::vector<float>{m->act.lo, m->act.hi});
    }
    conv.inputs.resize(3, ir::kNoValue);
    conv.inputs.push_back(m->z);
    conv.outputs[0] = out;
    g.rebuild_producers();
    changed = true;
  }
}

}  // namespace etch::passes
