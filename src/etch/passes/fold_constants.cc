#include "etch/passes/fold_constants.h"

#include <algorithm>

namespace etch::passes {
namespace {
// Dropout is left to eliminate_identity (and is random in training mode);
// Shape of a value with a static shape folds even when the value does not.
constexpr const char* kDropout = "Dropout";
constexpr const char* kShape = "Shape";
}  // namespace

bool fold_constants(ir::Graph& g, const PassContext& ctx) {
  if (!ctx.evaluate) return false;
  std::vector<ir::NodeId> folded;
  for (const auto& n : g.nodes()) {
    bool is_output = false;
    for (ir::ValueId o : n.outputs) is_output |= std::find(g.outputs.begin(), g.outputs.end(), o) != g.outputs.end();
    if (is_output || n.op_type == kDropout) continue;
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
    Tensor shape_value;
    if (!all_const && n.op_type == kShape && !n.has_attr("start") && !n.has_attr("end")) {
      const ir::Value& v = g.value(n.inputs[0]);
      if (!v.has_shape || !shape_is_static(v.shape)) continue;
      shape_value = Tensor::from_vector<int64_t>({static_cast<int64_t>(v.shape.size())}, v.shape);
    } else if (!all_const) {
      continue;
    }
    std::vector<Tensor> outs;
    if (shape_value.defined())
      outs = {shape_value};
    else
      outs = ctx.evaluate(n, ins);
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
  return true;
}

}  // namespace etch::passes
