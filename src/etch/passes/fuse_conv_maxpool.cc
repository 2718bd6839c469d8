#include "etch/passes/fuse_conv_maxpool.h"

#include <algorithm>

#include "etch/ir/ops/qint_ops.h"

namespace etch::passes {
namespace {
// The pass's target op (a FusedConv from fuse_conv_activation) and the pool it absorbs.
constexpr const char* kTargetOp = "FusedConv";
constexpr const char* kPoolOp = "MaxPool";

bool all_equal(const std::vector<int64_t>& v, int64_t x) {
  return std::all_of(v.begin(), v.end(), [x](int64_t e) { return e == x; });
}

// The MaxPool that can join `conv`, or nullptr.
const ir::Node* joinable_pool(const ir::Graph& g, const ir::Node& conv) {
  if (conv.op_type != kTargetOp || conv.domain != ir::kEtchDomain || conv.has_attr("pool_kernel")) return nullptr;
  if (conv.inputs.size() > 3) return nullptr;  // the pool would have to follow the summand Z
  const ir::ValueId y = conv.outputs[0];
  const ir::Value& yv = g.value(y);
  if (!yv.has_shape || yv.shape.size() != 4) return nullptr;
  if (std::find(g.outputs.begin(), g.outputs.end(), y) != g.outputs.end()) return nullptr;
  const auto users = g.consumers(y);
  if (users.size() != 1) return nullptr;
  const ir::Node* p = g.find_node(users[0]);
  if (!p || p->op_type != kPoolOp || !p->domain.empty() || p->outputs.size() != 1 || p->inputs[0] != y) return nullptr;
  const auto k = p->attr_ints("kernel_shape");
  const auto s = p->attr_ints("strides", {1, 1});
  const std::string auto_pad = p->attr_string("auto_pad", "NOTSET");
  if (k.size() != 2 || s.size() != 2 || p->attr_int("ceil_mode", 0) != 0) return nullptr;
  if (auto_pad != "NOTSET" && auto_pad != "VALID") return nullptr;
  if (!all_equal(p->attr_ints("pads", {0, 0, 0, 0}), 0) || !all_equal(p->attr_ints("dilations", {1, 1}), 1))
    return nullptr;
  for (int i = 0; i < 2; ++i)
    if (yv.shape[2 + i] >= 0 && yv.shape[2 + i] < k[i]) return nullptr;
  return p;
}

}  // namespace

bool fuse_conv_maxpool(ir::Graph& g, const PassContext&) {
  bool changed = false;
  for (;;) {
    ir::NodeId conv_id = -1, pool_id = -1;
    for (const auto& n : g.nodes())
      if (const ir::Node* p = joinable_pool(g, n)) {
        conv_id = n.id;
        pool_id = p->id;
        break;
      }
    if (conv_id < 0) return changed;
    const ir::Node& pool = *g.find_node(pool_id);
    const ir::ValueId out = pool.outputs[0];
    const auto kernel = pool.attr_ints("kernel_shape");
    const auto strides = pool.attr_ints("strides", {1, 1});
    g.remove_nodes({pool_id});
    ir::Node& conv = *g.find_node(conv_id);
    conv.attrs["pool_kernel"] = ir::Attribute(kernel);
    conv.attrs["pool_strides"] = ir::Attribute(strides);
    conv.outputs[0] = out;
    g.rebuild_producers();
    changed = true;
  }
}

}  // namespace etch::passes
