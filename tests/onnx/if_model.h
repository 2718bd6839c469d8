// A hand-built model shaped like Silero VAD's control flow, for the If-folding
// tests (tests/onnx) and the --const-input CLI tests (tests/cli):
// y = x * 2 when sr == 16000 and x has 4 samples (a second If, on
// Equal(Gather(Shape(x), 1), 4), inside the first one's then-branch), x - 1 when
// sr == 16000 otherwise, x + 1 for any other sr. x is f32 [1,4], sr i64 [].
#pragma once
#include "onnx/onnx_test_util.h"

namespace etch::onnx::testing {

using ::onnx::AttributeProto;
using ::onnx::GraphProto;
using ::onnx::NodeProto;
using ::onnx::TensorProto;

inline TensorProto int64_scalar(const std::string& name, int64_t v) {
  TensorProto t;
  t.set_name(name);
  t.set_data_type(TensorProto::INT64);
  t.add_int64_data(v);
  return t;
}

inline NodeProto* graph_node(GraphProto* g, const std::string& op, const std::vector<std::string>& ins,
                             const std::vector<std::string>& outs, const std::string& name) {
  NodeProto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (const auto& i : ins) n->add_input(i);
  for (const auto& o : outs) n->add_output(o);
  return n;
}

inline void set_branch(NodeProto* n, const std::string& attr, const GraphProto& g) {
  AttributeProto* a = n->add_attribute();
  a->set_name(attr);
  a->set_type(AttributeProto::GRAPH);
  *a->mutable_g() = g;
}

inline GraphProto branch(const std::string& name, const std::string& output) {
  GraphProto g;
  g.set_name(name);
  set_type(g.add_output(), output, TensorProto::FLOAT, {1, 4});
  return g;
}

inline ::onnx::ModelProto vad_like_model() {
  auto m = make_model(16);
  add_input(m, "x", {1, 4});
  add_input(m, "sr", {}, TensorProto::INT64);
  GraphProto* gp = m.mutable_graph();
  *gp->add_initializer() = int64_scalar("rate16k", 16000);
  *gp->add_initializer() = float_tensor("two", {1}, {2});
  *gp->add_initializer() = float_tensor("one", {1}, {1});
  add_node(m, "Equal", {"sr", "rate16k"}, {"is16k"}, "rate_eq");

  GraphProto len_then = branch("len_then", "scaled");
  graph_node(&len_then, "Mul", {"x", "two"}, {"scaled"}, "scale");
  GraphProto len_else = branch("len_else", "shifted");
  graph_node(&len_else, "Sub", {"x", "one"}, {"shifted"}, "shift");
  GraphProto rate_then = branch("rate_then", "from_len");
  *rate_then.add_initializer() = int64_scalar("axis1", 1);
  *rate_then.add_initializer() = int64_scalar("four", 4);
  graph_node(&rate_then, "Shape", {"x"}, {"xshape"}, "shape");
  graph_node(&rate_then, "Gather", {"xshape", "axis1"}, {"len"}, "len");
  graph_node(&rate_then, "Equal", {"len", "four"}, {"is4"}, "len_eq");
  NodeProto* inner = graph_node(&rate_then, "If", {"is4"}, {"from_len"}, "len_if");
  set_branch(inner, "then_branch", len_then);
  set_branch(inner, "else_branch", len_else);
  GraphProto rate_else = branch("rate_else", "added");
  graph_node(&rate_else, "Add", {"x", "one"}, {"added"}, "add");

  NodeProto* outer = add_node(m, "If", {"is16k"}, {"y"}, "rate_if");
  set_branch(outer, "then_branch", rate_then);
  set_branch(outer, "else_branch", rate_else);
  add_output(m, "y", {1, 4});
  return m;
}

}  // namespace etch::onnx::testing
