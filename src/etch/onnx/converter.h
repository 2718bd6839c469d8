// Internal to onnx/: the ModelProto → Graph converter the importer runs after
// the checker and shape inference. Its If folding (inlining the branch a
// constant condition takes) lives in if_folding.cc.
#pragma once
#include <onnx/onnx_pb.h>

#include <functional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "etch/ir/graph.h"

namespace etch::onnx {

bool is_default_domain(const std::string& d);

struct TypeResult {
  DType dtype = DType::F32;
  Shape shape;
  bool has_shape = false;
};

TypeResult convert_type(const ::onnx::TypeProto& t, const std::string& what, const std::string& label);
// A runtime input must be a tensor of a supported type with a known rank and
// positive (or symbolic) dims.
TypeResult input_type(const ::onnx::ValueInfoProto& in, const std::string& label);

class Converter {
 public:
  // fold: constant-folds the graph converted so far (may be empty: then only an
  // If whose condition is already a constant value folds).
  Converter(const std::string& label, std::function<void(ir::Graph&)> fold) : label_(label), fold_(std::move(fold)) {}

  ir::Graph run(const ::onnx::ModelProto& m, int64_t opset);

 private:
  void add_initializers(const ::onnx::GraphProto& gp);
  void add_inputs(const ::onnx::GraphProto& gp);
  void add_node(const ::onnx::NodeProto& n, int index);
  void add_constant_node(const ::onnx::NodeProto& n, const std::string& name);
  ir::Attribute convert_attribute(const ::onnx::AttributeProto& a, const std::string& node_desc) const;
  void set_outputs(const ::onnx::GraphProto& gp);
  std::string node_name(const ::onnx::NodeProto& n, int index);
  // Binds an ONNX value name to a graph value in the current scope.
  void define(const std::string& name, ir::ValueId v);
  void collect_infos(const ::onnx::GraphProto& gp);

  // if_folding.cc
  void add_if_node(const ::onnx::NodeProto& n, const std::string& name);
  bool constant_condition(ir::ValueId cond, const std::string& desc);
  void inline_branch(const ::onnx::GraphProto& branch, const ::onnx::NodeProto& n, const std::string& name);

  const std::string& label_;
  std::function<void(ir::Graph&)> fold_;
  ir::Graph g_;
  std::unordered_map<std::string, ir::ValueId> by_name_;
  std::unordered_map<std::string, const ::onnx::ValueInfoProto*> infos_;
  std::set<std::string> node_names_;
  // Names defined inside the If branches being inlined (innermost last); they
  // leave by_name_ when their branch is done, as ONNX scoping says.
  std::vector<std::vector<std::string>> branch_scopes_;
};

}  // namespace etch::onnx
