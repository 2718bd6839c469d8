#include "etch/compress/layers.h"

#include "etch/ir/op_registry.h"

namespace etch::compress {

namespace {
int64_t stride_of(const Shape& s, int axis) {
  int64_t st = 1;
  for (size_t d = static_cast<size_t>(axis) + 1; d < s.size(); ++d) st *= s[d];
  return st;
}
}  // namespace

WeightLayout::WeightLayout(const Tensor& w, const Layer& l) {
  out_stride = stride_of(w.shape(), l.out_axis);
  out_dim = w.dim(l.out_axis);
  in_stride = stride_of(w.shape(), l.in_axis);
  in_dim = w.dim(l.in_axis);
}

std::vector<Layer> find_layers(const ir::Graph& g) {
  std::vector<Layer> out;
  for (const ir::Node& n : g.nodes()) {
    const ir::MacForm* form = ir::mac_form(n);
    if (!ir::has_trait(n, ir::OpTrait::kWeighted) || !form || form->weight_input != 1 || n.inputs.size() < 2 ||
        n.inputs[1] == ir::kNoValue)
      continue;
    const ir::Value& w = g.value(n.inputs[1]);
    if (!w.data || w.data->dtype() != DType::F32) continue;
    Layer l;
    l.node = n.id;
    l.name = n.name.empty() ? g.value(n.outputs[0]).name : n.name;
    l.op = n.op_type;
    l.form = form->kind;
    l.weight = n.inputs[1];
    if (l.form == ir::MacForm::kConv) {
      if (w.data->rank() < 3) continue;
      l.out_axis = 0;
      l.in_axis = 1;
      l.group = n.attr_int("group", 1);
      if (n.has_input(2) && g.value(n.inputs[2]).data) l.bias = n.inputs[2];
    } else if (l.form == ir::MacForm::kGemm) {
      if (n.attr_int("transA", 0) != 0 || w.data->rank() != 2) continue;
      const bool tb = n.attr_int("transB", 0) != 0;
      l.out_axis = tb ? 0 : 1;
      l.in_axis = tb ? 1 : 0;
      if (n.has_input(2)) {
        const ir::Value& c = g.value(n.inputs[2]);
        if (c.data && c.data->numel() == w.data->dim(l.out_axis) && c.data->numel() > 1) l.bias = n.inputs[2];
      }
    } else if (l.form == ir::MacForm::kMatMul) {
      if (w.data->rank() != 2) continue;
      l.out_axis = 1;
      l.in_axis = 0;
    } else {
      continue;
    }
    const auto users = g.consumers(n.outputs[0]);
    // A BatchNorm right after: surgery drops its channels with the layer's.
    if (users.size() == 1 && ir::has_trait(*g.find_node(users[0]), ir::OpTrait::kChannelAffine)) l.batchnorm = users[0];
    l.out_channels = w.data->dim(l.out_axis);
    l.in_channels = w.data->dim(l.in_axis);
    out.push_back(l);
  }
  return out;
}

ir::Graph clone_graph(const ir::Graph& g) {
  ir::Graph c = g;
  for (int v = 0; v < c.num_values(); ++v)
    if (c.value(v).data) c.value(v).data = c.value(v).data->clone();
  return c;
}

}  // namespace etch::compress
