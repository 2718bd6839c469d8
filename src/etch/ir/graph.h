// The one graph type that flows through every stage. Values and nodes carry
// integer ids; values are indexed by id and never removed (dead ones are simply
// unused), nodes are kept in topological order.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "etch/core/tensor.h"
#include "etch/ir/attribute.h"

namespace etch::ir {

using ValueId = int;
using NodeId = int;
constexpr ValueId kNoValue = -1;  // an omitted optional input

struct Value {
  ValueId id = kNoValue;
  std::string name;
  DType dtype = DType::F32;
  Shape shape;                 // -1 for unknown dims
  bool has_shape = false;      // false when even the rank is unknown
  NodeId producer = -1;        // -1 for graph inputs and initializers
  std::optional<Tensor> data;  // initializer / constant value
  bool is_constant() const { return data.has_value(); }
};

struct Node {
  NodeId id = -1;
  std::string name;
  std::string op_type;
  std::string domain;  // "" for the default ONNX domain
  std::vector<ValueId> inputs;
  std::vector<ValueId> outputs;
  std::map<std::string, Attribute> attrs;

  bool has_attr(const std::string& k) const { return attrs.count(k) != 0; }
  int64_t attr_int(const std::string& k, int64_t def) const;
  float attr_float(const std::string& k, float def) const;
  std::string attr_string(const std::string& k, const std::string& def) const;
  std::vector<int64_t> attr_ints(const std::string& k, const std::vector<int64_t>& def = {}) const;
  std::vector<float> attr_floats(const std::string& k, const std::vector<float>& def = {}) const;
  std::vector<std::string> attr_strings(const std::string& k) const;  // empty when absent
  const Tensor* attr_tensor(const std::string& k) const;
  bool has_input(size_t i) const { return i < inputs.size() && inputs[i] != kNoValue; }
  // "node 'conv1' (Conv)" for error messages
  std::string describe() const;
};

class Graph {
 public:
  std::string name = "main";
  int64_t opset = 17;
  int64_t ir_version = 8;
  std::string producer = "etch";
  std::map<std::string, std::string> metadata;

  // Values
  ValueId add_value(const std::string& name, DType dtype, Shape shape, bool has_shape = true);
  ValueId add_constant(const std::string& name, Tensor data);
  ValueId add_input(const std::string& name, DType dtype, Shape shape);
  Value& value(ValueId id);
  const Value& value(ValueId id) const;
  int num_values() const { return static_cast<int>(values_.size()); }
  std::optional<ValueId> find_value(const std::string& name) const;
  std::string unique_name(const std::string& base) const;

  // Nodes. add_node appends (caller keeps topological order) and sets producers.
  NodeId add_node(const std::string& op_type, const std::vector<ValueId>& inputs, const std::vector<ValueId>& outputs,
                  const std::string& name = "", std::map<std::string, Attribute> attrs = {},
                  const std::string& domain = "");
  std::vector<Node>& nodes() { return nodes_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  Node* find_node(NodeId id);
  const Node* find_node(NodeId id) const;
  const Node* find_node_by_name(const std::string& name) const;
  void remove_nodes(const std::vector<NodeId>& ids);  // also clears producers
  std::vector<NodeId> consumers(ValueId v) const;
  void replace_all_uses(ValueId from, ValueId to);  // in node inputs and graph outputs
  void rebuild_producers();
  void topological_sort();  // throws InvalidInput on a cycle

  std::vector<ValueId> inputs;  // runtime inputs (no initializers)
  std::vector<ValueId> outputs;

  int64_t num_parameters() const;  // elements in constant float/int tensors

 private:
  std::vector<Value> values_;
  std::vector<Node> nodes_;
  NodeId next_node_id_ = 0;
};

}  // namespace etch::ir
