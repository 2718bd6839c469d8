#include "etch/passes/fold_constants.h"

#include <algorithm>

#include "etch/ir/op_registry.h"

namespace etch::passes {
namespace {
// Above this many elements a shape-only op is not folded: its input would have
// to be materialised to evaluate it.
constexpr int64_t kMaxShapeOnlyInput = int64_t{1} << 24;
}  // namespace

bool fold_constants(ir::Graph& g, const PassContext& ctx) {
  if (!ctx.evaluate) return false;
  std::vector<ir::NodeId> folded;
  for (const auto& n : g.nodes()) {
    bool is_output = false;
    for (ir::ValueId o : n.outputs) is_output |= std::find(g.outputs.begin(), g.outputs.end(), o) != g.outputs.end();
    // Passthrough ops (Identity, Dropout) are left to eliminate_identity, which
    // keeps value names; Dropout is random in training mode.
    if (is_output || ir::has_trait(n, ir::OpTrait::kPassthrough)) continue;
    std::vector<const Tensor*> ins(n.inputs.size(), nullptr);
    bool all_const = true;
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      if (n.inputs[i] == ir::kNoValue) continue;
      const ir::Value& v = g.value(n.inputs[i]);
      if (v.data)
        ins[i] = &*v.data;
      else
        all_const = false;
    }
    // A shape-only op (Shape, Size) of a value with a static shape folds even
    // when the value does not: it is evaluated on zeros of that shape.
    Tensor stand_in;
    if (!all_const && ir::has_trait(n, ir::OpTrait::kShapeOnly)) {
      const ir::Value& v = g.value(n.inputs[0]);
      if (!v.has_shape || !shape_is_static(v.shape) || shape_numel(v.shape) > kMaxShapeOnlyInput) continue;
      stand_in = Tensor(v.dtype, v.shape);
      ins[0] = &stand_in;
    } else if (!all_const) {
      continue;
    }
    std::vector<Tensor> outs = ctx.evaluate(n, ins);
    for (size_t i = 0; i < n.outputs.size(); ++i) {
      ir::Value& v = g.value(n.outputs[i]);
      v.data = outs[i];
      v.dtype = outs[i].dtype();
      v.shape = outs[i].shape();
      v.has_shape = true;
      v.producer = -1;
    }
    folded.push_back(n.id);
  }
  if (folded.empty()) return false;
  // remove_nodes resets producers of removed outputs, which are now constants.
  g.remove_nodes(folded);
  // Shapes that depended on what folded (a Pad's computed pads, a Resize's
  // sizes) are known now, so the next round can fold a Shape of them.
  ir::infer_shapes(g);
  return true;
}

}  // namespace etch::passes
