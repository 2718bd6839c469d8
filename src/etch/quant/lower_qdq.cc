#include "etch/quant/lower_qdq.h"

#include "etch/ir/op_registry.h"
#include "etch/ir/ops/qint_ops.h"
#include "etch/ir/verifier.h"
#include "etch/passes/activation_fusion.h"
#include "etch/passes/compose_lookup_tables.h"
#include "etch/passes/eliminate_dead_nodes.h"
#include "etch/passes/fuse_pad_conv.h"
#include "etch/quant/int4_storage.h"
#include "etch/quant/qdq_lowering.h"
#include "etch/quant/qdq_util.h"
#include "etch/quant/quant_rule.h"

namespace etch::quant {

int count_integer_ops(const ir::Graph& g) {
  int c = 0;
  for (const auto& n : g.nodes()) c += ir::has_trait(n, ir::OpTrait::kIntegerOp);
  return c;
}

namespace {

// Every QuantizeLinear to int8 with per-tensor parameters ends a candidate
// group: its producer, or the producer's producer when the producer is a
// Relu/Clip fused into it. The rule of the group's core op decides and acts.
void lower_groups(ir::Graph& g) {
  QdqLowering l(g);
  std::vector<ir::NodeId> removed_q;
  const std::vector<ir::Node> nodes = g.nodes();
  for (const ir::Node& q : nodes) {
    if (!is_quantize(q) || g.value(q.outputs[0]).dtype != DType::I8) continue;
    auto yp = qdq_params(g, q);
    if (!yp || yp->per_channel() || yp->scales.size() != 1) continue;
    const ir::Node* p = producer_of(g, q.inputs[0]);
    if (!p) continue;
    const ir::Node* core = nullptr;
    if (const ir::Node* c = producer_of(g, p->inputs.empty() ? ir::kNoValue : p->inputs[0])) {
      auto f = passes::fused_activation(g, *c);
      if (f && f->activation == p->id) core = c;
    }
    // Copies: add_node below may move the nodes vector.
    const ir::Node p_copy = *p;
    auto try_rule = [&](const ir::Node& n, const ir::Node* act) {
      const QuantRule* r = find_rule(n);
      if (!r || n.outputs.size() != 1 || n.inputs.empty() || n.inputs[0] == ir::kNoValue) return false;
      if (act && !r->fuses_activation) return false;
      if (!r->why_not(g, n, g.value(n.inputs[0])).empty()) return false;
      return r->lower(l, QdqGroup{q, *yp, n, act});
    };
    bool done = false;
    if (core) {
      const ir::Node core_copy = *core;
      done = try_rule(core_copy, &p_copy);
    }
    // A Relu/Clip whose producer did not lower with it becomes a table of its own.
    if (!done) done = try_rule(p_copy, nullptr);
    if (done) removed_q.push_back(q.id);
  }
  g.remove_nodes(removed_q);
  g.rebuild_producers();
}

}  // namespace

ir::Graph lower_qdq(const ir::Graph& qdq) {
  ir::Graph g = qdq;
  lower_groups(g);
  // A Pad of the zero point before a QConv becomes the QConv's padding.
  passes::fuse_pad_conv(g, {});
  // Integer ops were appended at the end: order first, since dead-node
  // elimination walks the graph backwards from its outputs.
  g.topological_sort();
  passes::eliminate_dead_nodes(g, {});
  // Back-to-back tables (an activation, then a Max with a constant) become
  // one, once the float ops that read the first are gone.
  if (passes::compose_lookup_tables(g, {})) passes::eliminate_dead_nodes(g, {});
  ir::infer_shapes(g);
  ir::verify(g);
  return g;
}

}  // namespace etch::quant
