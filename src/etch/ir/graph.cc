#include "etch/ir/graph.h"

#include <algorithm>
#include <set>
#include <unordered_map>

namespace etch::ir {

int64_t Node::attr_int(const std::string& k, int64_t def) const {
  auto it = attrs.find(k);
  if (it == attrs.end()) return def;
  if (auto* v = std::get_if<int64_t>(&it->second)) return *v;
  if (auto* f = std::get_if<float>(&it->second)) return static_cast<int64_t>(*f);
  ETCH_FAIL(InvalidInput) << describe() << ": attribute '" << k << "' should be an int";
}

float Node::attr_float(const std::string& k, float def) const {
  auto it = attrs.find(k);
  if (it == attrs.end()) return def;
  if (auto* v = std::get_if<float>(&it->second)) return *v;
  if (auto* i = std::get_if<int64_t>(&it->second)) return static_cast<float>(*i);
  ETCH_FAIL(InvalidInput) << describe() << ": attribute '" << k << "' should be a float";
}

std::string Node::attr_string(const std::string& k, const std::string& def) const {
  auto it = attrs.find(k);
  if (it == attrs.end()) return def;
  if (auto* v = std::get_if<std::string>(&it->second)) return *v;
  ETCH_FAIL(InvalidInput) << describe() << ": attribute '" << k << "' should be a string";
}

std::vector<int64_t> Node::attr_ints(const std::string& k, const std::vector<int64_t>& def) const {
  auto it = attrs.find(k);
  if (it == attrs.end()) return def;
  if (auto* v = std::get_if<std::vector<int64_t>>(&it->second)) return *v;
  if (auto* i = std::get_if<int64_t>(&it->second)) return {*i};
  ETCH_FAIL(InvalidInput) << describe() << ": attribute '" << k << "' should be a list of ints";
}

std::vector<float> Node::attr_floats(const std::string& k, const std::vector<float>& def) const {
  auto it = attrs.find(k);
  if (it == attrs.end()) return def;
  if (auto* v = std::get_if<std::vector<float>>(&it->second)) return *v;
  if (auto* f = std::get_if<float>(&it->second)) return {*f};
  ETCH_FAIL(InvalidInput) << describe() << ": attribute '" << k << "' should be a list of floats";
}

std::vector<std::string> Node::attr_strings(const std::string& k) const {
  auto it = attrs.find(k);
  if (it == attrs.end()) return {};
  if (auto* v = std::get_if<std::vector<std::string>>(&it->second)) return *v;
  if (auto* s = std::get_if<std::string>(&it->second)) return {*s};
  ETCH_FAIL(InvalidInput) << describe() << ": attribute '" << k << "' should be a list of strings";
}

const Tensor* Node::attr_tensor(const std::string& k) const {
  auto it = attrs.find(k);
  if (it == attrs.end()) return nullptr;
  return std::get_if<Tensor>(&it->second);
}

std::string Node::describe() const { return "node '" + name + "' (" + op_type + ")"; }

ValueId Graph::add_value(const std::string& name, DType dtype, Shape shape, bool has_shape) {
  Value v;
  v.id = static_cast<ValueId>(values_.size());
  v.name = name;
  v.dtype = dtype;
  v.shape = std::move(shape);
  v.has_shape = has_shape;
  values_.push_back(std::move(v));
  return values_.back().id;
}

ValueId Graph::add_constant(const std::string& name, Tensor data) {
  ValueId id = add_value(name, data.dtype(), data.shape());
  values_[id].data = std::move(data);
  return id;
}

ValueId Graph::add_input(const std::string& name, DType dtype, Shape shape) {
  ValueId id = add_value(name, dtype, std::move(shape));
  inputs.push_back(id);
  return id;
}

Value& Graph::value(ValueId id) {
  ETCH_CHECK(id >= 0 && id < num_values()) << "bad value id " << id;
  return values_[id];
}

const Value& Graph::value(ValueId id) const {
  ETCH_CHECK(id >= 0 && id < num_values()) << "bad value id " << id;
  return values_[id];
}

std::optional<ValueId> Graph::find_value(const std::string& name) const {
  for (const auto& v : values_)
    if (v.name == name) return v.id;
  return std::nullopt;
}

std::string Graph::unique_name(const std::string& base) const {
  std::set<std::string> used;
  for (const auto& v : values_) used.insert(v.name);
  for (const auto& n : nodes_) used.insert(n.name);
  if (!used.count(base)) return base;
  for (int i = 1;; ++i) {
    std::string c = base + "_" + std::to_string(i);
    if (!used.count(c)) return c;
  }
}

NodeId Graph::add_node(const std::string& op_type, const std::vector<ValueId>& ins, const std::vector<ValueId>& outs,
                       const std::string& name, std::map<std::string, Attribute> attrs, const std::string& domain) {
  Node n;
  n.id = next_node_id_++;
  n.op_type = op_type;
  n.domain = domain;
  n.inputs = ins;
  n.outputs = outs;
  n.attrs = std::move(attrs);
  n.name = name.empty() ? op_type + "_" + std::to_string(n.id) : name;
  for (ValueId o : outs) value(o).producer = n.id;
  nodes_.push_back(std::move(n));
  return nodes_.back().id;
}

Node* Graph::find_node(NodeId id) {
  for (auto& n : nodes_)
    if (n.id == id) return &n;
  return nullptr;
}

const Node* Graph::find_node(NodeId id) const { return const_cast<Graph*>(this)->find_node(id); }

const Node* Graph::find_node_by_name(const std::string& name) const {
  for (const auto& n : nodes_)
    if (n.name == name) return &n;
  return nullptr;
}

void Graph::remove_nodes(const std::vector<NodeId>& ids) {
  std::set<NodeId> dead(ids.begin(), ids.end());
  for (const auto& n : nodes_)
    if (dead.count(n.id))
      for (ValueId o : n.outputs) values_[o].producer = -1;
  nodes_.erase(std::remove_if(nodes_.begin(), nodes_.end(), [&](const Node& n) { return dead.count(n.id) > 0; }),
               nodes_.end());
}

std::vector<NodeId> Graph::consumers(ValueId v) const {
  std::vector<NodeId> out;
  for (const auto& n : nodes_)
    if (std::find(n.inputs.begin(), n.inputs.end(), v) != n.inputs.end()) out.push_back(n.id);
  return out;
}

void Graph::replace_all_uses(ValueId from, ValueId to) {
  for (auto& n : nodes_)
    for (auto& i : n.inputs)
      if (i == from) i = to;
  for (auto& o : outputs)
    if (o == from) o = to;
}

void Graph::rebuild_producers() {
  for (auto& v : values_) v.producer = -1;
  for (const auto& n : nodes_)
    for (ValueId o : n.outputs) values_[o].producer = n.id;
}

void Graph::topological_sort() {
  std::vector<bool> ready(values_.size(), false);
  for (const auto& v : values_)
    if (v.producer < 0) ready[v.id] = true;
  std::vector<Node> sorted;
  std::vector<bool> placed(nodes_.size(), false);
  sorted.reserve(nodes_.size());
  bool progress = true;
  while (sorted.size() < nodes_.size() && progress) {
    progress = false;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (placed[i]) continue;
      bool ok = true;
      for (ValueId in : nodes_[i].inputs)
        if (in != kNoValue && !ready[in]) ok = false;
      if (!ok) continue;
      placed[i] = true;
      progress = true;
      for (ValueId o : nodes_[i].outputs) ready[o] = true;
      sorted.push_back(nodes_[i]);
    }
  }
  if (sorted.size() != nodes_.size()) {
    for (size_t i = 0; i < nodes_.size(); ++i)
      if (!placed[i]) ETCH_FAIL(InvalidInput) << "graph has a cycle or a missing input at " << nodes_[i].describe();
  }
  nodes_ = std::move(sorted);
}

int64_t Graph::num_parameters() const {
  std::set<ValueId> used;
  for (const auto& n : nodes_)
    for (ValueId i : n.inputs)
      if (i != kNoValue && values_[i].is_constant()) used.insert(i);
  int64_t total = 0;
  for (ValueId v : used) total += values_[v].data->numel();
  return total;
}

}  // namespace etch::ir
