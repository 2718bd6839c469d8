#include "etch/compress/channel_flow.h"

#include <numeric>
#include <set>

#include "etch/ir/op_registry.h"

namespace etch::compress {

namespace {
// The ops with a channel rule of their own here (the others follow their traits).
constexpr const char* kPRelu = "PRelu";
constexpr const char* kFlatten = "Flatten";
constexpr const char* kReshape = "Reshape";

bool has(const ir::Node& n, ir::OpTrait t) { return ir::has_trait(n, t); }

bool unit_inner(const Flow& f) {
  for (const auto& s : f)
    if (s.inner != 1) return false;
  return true;
}
int64_t width(const Flow& f) {
  int64_t w = 0;
  for (const auto& s : f) w += s.count * s.inner;
  return w;
}

// A Conv/Gemm/MatMul whose output channels can be a space of their own.
bool is_source(const ir::Graph& g, const Layer& l) {
  if (l.form == ir::MacForm::kConv) return l.group == 1;
  const ir::Value& out = g.value(g.find_node(l.node)->outputs[0]);
  return out.has_shape && out.shape.size() == 2;
}

struct Planner {
  const ir::Graph& g;
  const std::vector<Layer>& layers;
  ChannelPlan plan;
  std::vector<int> parent;
  std::map<int, std::string> blocked;  // space -> reason
  std::map<ir::NodeId, int> layer_of_node;

  int find(int s) { return parent[s] == s ? s : parent[s] = find(parent[s]); }
  void unite(int a, int b) { parent[find(a)] = find(b); }
  void block(const Flow& f, const std::string& why) {
    for (const auto& s : f)
      if (s.space >= 0 && !blocked.count(s.space)) blocked[s.space] = why;
  }
  void pass(const ir::Node& n, const Flow& f) { plan.flow[n.outputs[0]] = f; }

  void visit(const ir::Node& n) {
    const Flow empty;
    auto in = [&](size_t i) -> const Flow& { return n.has_input(i) ? plan.flow[n.inputs[i]] : empty; };
    bool other_flow = false;
    for (size_t i = 1; i < n.inputs.size(); ++i) other_flow |= !in(i).empty();
    const Flow& f = in(0);
    const std::string who = n.describe();
    auto li = layer_of_node.find(n.id);
    if (li != layer_of_node.end()) {
      const Layer& l = layers[li->second];
      if (other_flow) {
        for (size_t i = 1; i < n.inputs.size(); ++i) block(in(i), "its channels are a weight of " + who);
      }
      if (l.form == ir::MacForm::kConv && l.group > 1) {
        if (l.depthwise() && l.group == l.out_channels && unit_inner(f))
          pass(n, f);
        else
          block(f, "its channels reach grouped convolution " + who);
      } else if (l.form == ir::MacForm::kConv && !unit_inner(f)) {
        block(f, "its channels reach " + who + " in another layout");
      }
      return;
    }
    if (has(n, ir::OpTrait::kChannelAffine) && !other_flow && unit_inner(f)) return pass(n, f);
    if (has(n, ir::OpTrait::kElementwiseUnary) && !other_flow) return pass(n, f);
    if (n.op_type == kPRelu && !other_flow && n.has_input(1) && g.value(n.inputs[1]).data &&
        g.value(n.inputs[1]).data->numel() == 1)
      return pass(n, f);
    if (has(n, ir::OpTrait::kPool) && unit_inner(f)) return pass(n, f);
    if (has(n, ir::OpTrait::kConcatenation)) return concat(n);
    if ((n.op_type == kFlatten || n.op_type == kReshape) && !other_flow) return flatten(n, f);
    if (has(n, ir::OpTrait::kBroadcastArith) && n.inputs.size() == 2) return binary(n);
    for (size_t i = 0; i < n.inputs.size(); ++i)
      block(in(i), "its channels reach " + who + ", which cannot drop channels");
  }

  void concat(const ir::Node& n) {
    const ir::Value& out = g.value(n.outputs[0]);
    int64_t axis = n.attr_int("axis", 0);
    if (out.has_shape && axis < 0) axis += static_cast<int64_t>(out.shape.size());
    Flow res;
    bool ok = axis == 1;
    for (ir::ValueId v : n.inputs) {
      const ir::Value& val = g.value(v);
      const Flow& f = plan.flow[v];
      if (!f.empty()) {
        ok &= unit_inner(f);
        res.insert(res.end(), f.begin(), f.end());
      } else if (val.has_shape && val.shape.size() >= 2 && val.shape[1] > 0) {
        res.push_back({-1, val.shape[1], 1});
      } else {
        ok = false;
      }
    }
    if (ok) return pass(n, res);
    for (ir::ValueId v : n.inputs) block(plan.flow[v], "its channels reach " + n.describe() + ", not along axis 1");
  }

  void flatten(const ir::Node& n, const Flow& f) {
    const ir::Value& x = g.value(n.inputs[0]);
    const ir::Value& y = g.value(n.outputs[0]);
    bool ok = unit_inner(f) && x.has_shape && x.shape.size() >= 2 && y.has_shape && y.shape.size() == 2;
    int64_t hw = 1;
    for (size_t d = 2; ok && d < x.shape.size(); ++d) {
      ok = x.shape[d] > 0;
      hw *= x.shape[d];
    }
    // Batch axis kept: [N, C, ...] -> [N, C * ...], channel-major (Flatten(axis=1) or its Reshape).
    if (ok) ok = y.shape[0] == x.shape[0];
    if (ok) ok = y.shape[1] == width(f) * hw;
    if (!ok) return block(f, "its channels reach " + n.describe() + ", which is not Flatten(axis=1)");
    Flow res = f;
    for (auto& s : res) s.inner = hw;
    pass(n, res);
  }

  void binary(const ir::Node& n) {
    const Flow& a = plan.flow[n.inputs[0]];
    const Flow& b = plan.flow[n.inputs[1]];
    const std::string who = n.describe();
    if (!a.empty() && !b.empty()) {
      bool same = a.size() == b.size();
      for (size_t i = 0; same && i < a.size(); ++i) same = a[i].count == b[i].count && a[i].inner == b[i].inner;
      if (!same) {
        block(a, "its channels meet other channels at " + who);
        block(b, "its channels meet other channels at " + who);
        return;
      }
      for (size_t i = 0; i < a.size(); ++i) {
        if (a[i].space >= 0 && b[i].space >= 0)
          unite(a[i].space, b[i].space);
        else if (a[i].space >= 0 || b[i].space >= 0)
          block({a[i].space >= 0 ? a[i] : b[i]},
                "its channels are tied by " + who + " to channels that cannot be pruned");
      }
      return pass(n, a);
    }
    const Flow& f = a.empty() ? b : a;
    const ir::Value& other = g.value(n.inputs[a.empty() ? 0 : 1]);
    if (other.data && other.data->numel() == 1) return pass(n, f);
    block(f, "its channels are tied by " + who + " to channels that cannot be pruned");
  }

  void run() {
    plan.flow.assign(g.num_values(), {});
    parent.resize(layers.size());
    std::iota(parent.begin(), parent.end(), 0);
    for (size_t i = 0; i < layers.size(); ++i) layer_of_node[layers[i].node] = static_cast<int>(i);
    std::vector<bool> source(layers.size(), false);
    for (const ir::Node& n : g.nodes()) {
      bool any = false;
      for (ir::ValueId v : n.inputs) any |= v != ir::kNoValue && !plan.flow[v].empty();
      if (any) visit(n);
      auto li = layer_of_node.find(n.id);
      if (li == layer_of_node.end()) continue;
      const Layer& l = layers[li->second];
      if (!is_source(g, l)) continue;
      if (g.consumers(l.weight).size() > 1) {
        plan.skipped[li->second] = "its weight is shared with another node";
        continue;
      }
      source[li->second] = true;
      plan.flow[n.outputs[0]] = {{li->second, l.out_channels, 1}};
    }
    for (ir::ValueId v : g.outputs) block(plan.flow[v], "feeds the model output '" + g.value(v).name + "'");
    std::map<int, std::string> root_blocked;
    for (const auto& [s, why] : blocked)
      if (!root_blocked.count(find(s))) root_blocked[find(s)] = why;
    plan.group_of.assign(layers.size(), -1);
    plan.root.assign(layers.size(), -1);
    std::map<int, int> group_of_root;
    for (size_t i = 0; i < layers.size(); ++i) {
      const int r = find(static_cast<int>(i));
      plan.root[i] = r;
      if (!source[i]) {
        if (!plan.skipped.count(static_cast<int>(i)))
          plan.skipped[static_cast<int>(i)] =
              layers[i].depthwise() ? "depthwise: its channels follow its input's" : "grouped convolution";
        continue;
      }
      if (root_blocked.count(r)) {
        plan.skipped[static_cast<int>(i)] = root_blocked[r];
        continue;
      }
      auto [it, fresh] = group_of_root.emplace(r, static_cast<int>(plan.groups.size()));
      if (fresh) plan.groups.push_back({{}, layers[i].out_channels});
      plan.groups[it->second].layers.push_back(static_cast<int>(i));
      plan.group_of[i] = it->second;
    }
  }
};

void set_input(ir::Graph& g, ir::NodeId node, size_t i, Tensor t) {
  ir::ValueId v = g.find_node(node)->inputs[i];
  if (g.consumers(v).size() > 1) {
    const ir::ValueId nv = g.add_constant(g.unique_name(g.value(v).name), std::move(t));
    g.find_node(node)->inputs[i] = nv;
    return;
  }
  g.value(v).shape = t.shape();
  g.value(v).data = std::move(t);
}

const Tensor& const_input(const ir::Graph& g, const ir::Node& n, size_t i) {
  const ir::Value& v = g.value(n.inputs[i]);
  ETCH_REQUIRE(v.data.has_value(), Unsupported)
      << n.describe() << ": input " << i << " ('" << v.name << "') must be a constant for channel pruning";
  return *v.data;
}
}  // namespace

Tensor take_along(const Tensor& t, int axis, const std::vector<int64_t>& idx) {
  Shape s = t.shape();
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; ++d) outer *= s[d];
  for (int d = axis + 1; d < t.rank(); ++d) inner *= s[d];
  const int64_t n = s[axis];
  s[axis] = static_cast<int64_t>(idx.size());
  Tensor r(t.dtype(), s);
  const size_t es = dtype_size(t.dtype());
  const uint8_t* src = t.raw();
  uint8_t* dst = r.raw();
  for (int64_t o = 0; o < outer; ++o)
    for (size_t k = 0; k < idx.size(); ++k)
      std::memcpy(dst + ((o * static_cast<int64_t>(idx.size()) + static_cast<int64_t>(k)) * inner) * es,
                  src + ((o * n + idx[k]) * inner) * es, static_cast<size_t>(inner) * es);
  return r;
}

ChannelPlan plan_channels(const ir::Graph& g, const std::vector<Layer>& layers) {
  Planner p{g, layers, {}, {}, {}, {}};
  p.run();
  return std::move(p.plan);
}

void skip_tied_groups(ChannelPlan& plan, const std::vector<Layer>& layers) {
  std::vector<ChannelGroup> kept;
  for (ChannelGroup& grp : plan.groups) {
    if (grp.layers.size() == 1) {
      for (int li : grp.layers) plan.group_of[li] = static_cast<int>(kept.size());
      kept.push_back(std::move(grp));
      continue;
    }
    for (int li : grp.layers) {
      std::string others;
      for (int o : grp.layers)
        if (o != li) others += (others.empty() ? "'" : ", '") + layers[o].name + "'";
      plan.skipped[li] = "its channels are tied by a residual Add to " + others + " (--tied skip)";
      plan.group_of[li] = -1;
    }
  }
  plan.groups = std::move(kept);
}

bool kept_features(const ChannelPlan& plan, const std::vector<std::vector<int64_t>>& keep, ir::ValueId v,
                   std::vector<int64_t>& out) {
  out.clear();
  const Flow& f = plan.flow[v];
  bool changed = false;
  int64_t offset = 0;
  for (const Segment& s : f) {
    const int gi = s.space >= 0 ? plan.group_of[s.space] : -1;
    if (gi >= 0) {
      for (int64_t c : keep[gi])
        for (int64_t j = 0; j < s.inner; ++j) out.push_back(offset + c * s.inner + j);
      changed |= static_cast<int64_t>(keep[gi].size()) < s.count;
    } else {
      for (int64_t j = 0; j < s.count * s.inner; ++j) out.push_back(offset + j);
    }
    offset += s.count * s.inner;
  }
  return changed;
}

void remove_channels(ir::Graph& g, const std::vector<Layer>& layers, const ChannelPlan& plan,
                     const std::vector<std::vector<int64_t>>& keep) {
  std::map<ir::NodeId, int> layer_of_node;
  for (size_t i = 0; i < layers.size(); ++i) layer_of_node[layers[i].node] = static_cast<int>(i);
  std::vector<ir::NodeId> ids;
  for (const ir::Node& n : g.nodes()) ids.push_back(n.id);
  std::vector<int64_t> idx;
  for (ir::NodeId id : ids) {
    const ir::Node n = *g.find_node(id);  // copy: set_input may add values
    const bool in_changed =
        !n.inputs.empty() && n.inputs[0] != ir::kNoValue && kept_features(plan, keep, n.inputs[0], idx);
    auto li = layer_of_node.find(id);
    if (li != layer_of_node.end()) {
      const Layer& l = layers[li->second];
      if (in_changed) {
        if (l.depthwise()) {
          set_input(g, id, 1, take_along(const_input(g, n, 1), 0, idx));
          if (l.bias != ir::kNoValue) set_input(g, id, 2, take_along(const_input(g, n, 2), 0, idx));
          g.find_node(id)->attrs["group"] = static_cast<int64_t>(idx.size());
        } else {
          set_input(g, id, 1, take_along(const_input(g, n, 1), l.in_axis, idx));
        }
      }
      const int gi = plan.group_of[li->second];
      if (gi >= 0 && static_cast<int64_t>(keep[gi].size()) < l.out_channels) {
        const ir::Node& cur = *g.find_node(id);
        set_input(g, id, 1, take_along(*g.value(cur.inputs[1]).data, l.out_axis, keep[gi]));
        if (l.bias != ir::kNoValue) {
          const Tensor& b = *g.value(g.find_node(id)->inputs[2]).data;
          set_input(g, id, 2, take_along(b, b.rank() - 1, keep[gi]));
        }
      }
      continue;
    }
    if (!in_changed) continue;
    if (has(n, ir::OpTrait::kChannelAffine)) {
      for (size_t i = 1; i < 5 && i < n.inputs.size(); ++i)
        set_input(g, id, i, take_along(const_input(g, n, i), 0, idx));
    } else if (n.op_type == kReshape) {
      std::vector<int64_t> out_idx;
      kept_features(plan, keep, n.outputs[0], out_idx);
      Tensor shape = const_input(g, n, 1).clone();
      ETCH_REQUIRE(shape.numel() == 2, Unsupported) << n.describe() << ": expected a 2-element shape";
      if (shape.get_as_double(1) > 0) {
        shape.set_from_double(1, static_cast<double>(out_idx.size()));
        set_input(g, id, 1, shape);
      }
    }
  }
  ir::infer_shapes(g);
}

std::map<ir::ValueId, Tensor> channel_masks(const ir::Graph& g, const std::vector<Layer>& layers,
                                            const ChannelPlan& plan, const std::vector<std::vector<int64_t>>& keep) {
  std::map<ir::ValueId, Tensor> masks;
  auto mask_along = [&](ir::ValueId v, int axis, const std::vector<int64_t>& kept) {
    const Tensor& t = *g.value(v).data;
    Tensor m(DType::F32, t.shape());  // zeros; the kept slices become ones
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; ++d) outer *= t.dim(d);
    for (int d = axis + 1; d < t.rank(); ++d) inner *= t.dim(d);
    const int64_t n = t.dim(axis);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t c : kept)
        std::fill(m.data<float>() + (o * n + c) * inner, m.data<float>() + (o * n + c + 1) * inner, 1.0f);
    auto it = masks.find(v);
    if (it == masks.end()) {
      masks.emplace(v, std::move(m));
    } else {
      for (int64_t i = 0; i < m.numel(); ++i) it->second.data<float>()[i] *= m.data<float>()[i];
    }
  };
  for (size_t gi = 0; gi < plan.groups.size(); ++gi)
    for (int li : plan.groups[gi].layers) {
      const Layer& l = layers[li];
      mask_along(l.weight, l.out_axis, keep[gi]);
      if (l.bias != ir::kNoValue) mask_along(l.bias, g.value(l.bias).data->rank() - 1, keep[gi]);
    }
  std::map<ir::NodeId, int> layer_of_node;
  for (size_t i = 0; i < layers.size(); ++i) layer_of_node[layers[i].node] = static_cast<int>(i);
  std::vector<int64_t> idx;
  for (const ir::Node& n : g.nodes()) {
    if (n.inputs.empty() || n.inputs[0] == ir::kNoValue || !kept_features(plan, keep, n.inputs[0], idx)) continue;
    auto li = layer_of_node.find(n.id);
    if (has(n, ir::OpTrait::kChannelAffine)) {
      mask_along(n.inputs[1], 0, idx);
      mask_along(n.inputs[2], 0, idx);
    } else if (li != layer_of_node.end() && layers[li->second].depthwise()) {
      mask_along(n.inputs[1], 0, idx);
      if (n.has_input(2)) mask_along(n.inputs[2], 0, idx);
    }
  }
  return masks;
}

}  // namespace etch::compress
