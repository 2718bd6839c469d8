#include "etch/passes/fuse_pad_conv.h"

#include <algorithm>

#include "etch/ir/op_registry.h"
#include "etch/ir/ops/nn_params.h"

namespace etch::passes {
namespace {

const Tensor* constant(const ir::Graph& g, const ir::Node& n, size_t i) {
  if (!n.has_input(i)) return nullptr;
  const ir::Value& v = g.value(n.inputs[i]);
  return v.data ? &*v.data : nullptr;
}

// The Conv a Pad can join, or nullptr; `spec` receives the pad amounts. A
// float Pad of zeros joins a float Conv; an int8 Pad joins a QConv when it
// pads with the QConv's input zero point, which QConv's own padding reads.
ir::Node* joinable_conv(ir::Graph& g, const ir::Node& pad, ir::PadSpec& spec) {
  if (pad.op_type != "Pad" || !pad.domain.empty() || pad.outputs.size() != 1) return nullptr;
  const ir::Value& x = g.value(pad.inputs[0]);
  const bool integer = x.dtype == DType::I8 || x.dtype == DType::U8;
  if ((x.dtype != DType::F32 && !integer) || !x.has_shape || x.shape.size() < 3) return nullptr;
  if (pad.has_input(1) && !constant(g, pad, 1)) return nullptr;
  if (pad.has_input(3)) return nullptr;  // axes: rare, left alone
  if (pad.has_input(2) && !constant(g, pad, 2)) return nullptr;
  const Tensor* value = constant(g, pad, 2);
  const double pad_value = value && value->numel() > 0 ? value->get_as_double(0) : 0.0;
  if (!pad.has_input(1) && pad.attr_float("value", 0.0f) != 0.0f) return nullptr;
  const int64_t rank = static_cast<int64_t>(x.shape.size());
  spec = ir::resolve_pad(pad, rank, constant(g, pad, 1), nullptr);
  if (!spec.known || spec.mode != "constant") return nullptr;
  for (int64_t d = 0; d < rank; ++d)
    if (spec.begin[d] < 0 || spec.end[d] < 0 || (d < 2 && (spec.begin[d] != 0 || spec.end[d] != 0))) return nullptr;
  const ir::ValueId y = pad.outputs[0];
  if (std::find(g.outputs.begin(), g.outputs.end(), y) != g.outputs.end()) return nullptr;
  const auto users = g.consumers(y);
  if (users.size() != 1) return nullptr;
  ir::Node* conv = g.find_node(users[0]);
  if (!conv || conv->inputs[0] != y) return nullptr;
  if (integer) {
    if (conv->op_type != "QConv" || conv->domain != "ai.etch" || !pad.has_input(1)) return nullptr;
    if (pad_value != static_cast<double>(conv->attr_int("x_zero_point", 0))) return nullptr;
  } else if (!ir::is_float_conv(g, *conv) || pad_value != 0.0) {
    return nullptr;
  }
  for (size_t i = 1; i < conv->inputs.size(); ++i)
    if (conv->inputs[i] == y) return nullptr;
  const std::string auto_pad = conv->attr_string("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET") return nullptr;
  return conv;
}

}  // namespace

bool fuse_pad_conv(ir::Graph& g, const PassContext&) {
  bool changed = false;
  for (;;) {
    ir::NodeId pad_id = -1;
    ir::Node* conv = nullptr;
    ir::PadSpec spec;
    for (const auto& n : g.nodes())
      if ((conv = joinable_conv(g, n, spec))) {
        pad_id = n.id;
        break;
      }
    if (!conv) return changed;
    const size_t sp = spec.begin.size() - 2;
    std::vector<int64_t> pads = conv->attr_ints("pads", std::vector<int64_t>(2 * sp, 0));
    if (pads.size() != 2 * sp) return changed;  // malformed; the Conv's own checks report it
    for (size_t i = 0; i < sp; ++i) {
      pads[i] += spec.begin[2 + i];
      pads[sp + i] += spec.end[2 + i];
    }
    const ir::ValueId x = g.find_node(pad_id)->inputs[0];
    const ir::NodeId conv_id = conv->id;
    g.remove_nodes({pad_id});
    ir::Node& c = *g.find_node(conv_id);
    c.attrs["pads"] = ir::Attribute(pads);
    c.inputs[0] = x;
    g.rebuild_producers();
    changed = true;
  }
}

}  // namespace etch::passes
