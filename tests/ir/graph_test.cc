#include "etch/ir/graph.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "etch/ir/printer.h"
#include "etch/ir/verifier.h"

namespace etch::ir {
namespace {

// x -> Relu -> r -> Add(r, c) -> y
Graph small_graph() {
  Graph g;
  ValueId x = g.add_input("x", DType::F32, {-1, 4});
  ValueId c = g.add_constant("c", Tensor::from_vector<float>({4}, {1, 2, 3, 4}));
  ValueId r = g.add_value("r", DType::F32, {-1, 4});
  ValueId y = g.add_value("y", DType::F32, {-1, 4});
  g.add_node("Relu", {x}, {r}, "relu1");
  g.add_node("Add", {r, c}, {y}, "add1");
  g.outputs = {y};
  return g;
}

TEST(Graph, ProducersConsumersAndNames) {
  Graph g = small_graph();
  const ValueId r = *g.find_value("r");
  EXPECT_EQ(g.find_node(g.value(r).producer)->name, "relu1");
  ASSERT_EQ(g.consumers(r).size(), 1u);
  EXPECT_EQ(g.find_node(g.consumers(r)[0])->op_type, "Add");
  EXPECT_EQ(g.unique_name("r"), "r_1");
  EXPECT_EQ(g.unique_name("fresh"), "fresh");
  EXPECT_EQ(g.num_parameters(), 4);
}

TEST(Graph, TopologicalSortRestoresOrder) {
  Graph g = small_graph();
  std::reverse(g.nodes().begin(), g.nodes().end());
  EXPECT_THROW(verify(g), Error);
  g.topological_sort();
  EXPECT_EQ(g.nodes()[0].name, "relu1");
  EXPECT_NO_THROW(verify(g));
}

TEST(Graph, TopologicalSortReportsCycle) {
  Graph g;
  ValueId a = g.add_value("a", DType::F32, {1});
  ValueId b = g.add_value("b", DType::F32, {1});
  g.add_node("Relu", {a}, {b}, "n1");
  g.add_node("Relu", {b}, {a}, "n2");
  EXPECT_THROW(g.topological_sort(), Error);
}

TEST(Graph, ReplaceAllUsesAndRemoveNodes) {
  Graph g = small_graph();
  const ValueId x = *g.find_value("x"), r = *g.find_value("r");
  g.replace_all_uses(r, x);
  g.remove_nodes({g.find_node_by_name("relu1")->id});
  EXPECT_EQ(g.value(r).producer, -1);
  EXPECT_EQ(g.nodes().size(), 1u);
  EXPECT_EQ(g.nodes()[0].inputs[0], x);
  EXPECT_NO_THROW(verify(g));
}

TEST(Verifier, ReportsEveryUnsupportedNodeAtOnce) {
  Graph g = small_graph();
  ValueId y = g.outputs[0];
  ValueId z1 = g.add_value("z1", DType::F32, {}), z2 = g.add_value("z2", DType::F32, {});
  g.add_node("FancyOp", {y}, {z1}, "f1");
  g.add_node("OtherOp", {z1}, {z2}, "f2", {}, "com.example");
  EXPECT_EQ(unsupported_nodes(g), (std::vector<std::string>{"'f1' (FancyOp)", "'f2' (com.example.OtherOp)"}));
  try {
    verify(g);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
    EXPECT_NE(std::string(e.what()).find("2 node(s)"), std::string::npos);
  }
}

TEST(Verifier, RejectsWrongArity) {
  Graph g = small_graph();
  g.nodes()[1].inputs.push_back(g.nodes()[1].inputs[0]);  // Add with 3 inputs
  EXPECT_THROW(verify(g), Error);
}

TEST(Printer, OneLinePerNodeWithShapesAndAttrs) {
  Graph g = small_graph();
  ValueId y = g.outputs[0];
  ValueId t = g.add_value("t", DType::F32, {4, -1});
  g.add_node("Transpose", {y}, {t}, "tr", {{"perm", std::vector<int64_t>{1, 0}}});
  g.outputs = {t};
  const std::string s = print_graph(g);
  EXPECT_NE(s.find("input %x:f32[?,4]"), std::string::npos) << s;
  EXPECT_NE(s.find("const %c:f32[4]"), std::string::npos) << s;
  EXPECT_NE(s.find("%r:f32[?,4] = Relu(%x)  # relu1"), std::string::npos) << s;
  EXPECT_NE(s.find("%t:f32[4,?] = Transpose(%y) {perm=[1,0]}  # tr"), std::string::npos) << s;
  EXPECT_NE(s.find("output %t:f32[4,?]"), std::string::npos) << s;
}

}  // namespace
}  // namespace etch::ir
