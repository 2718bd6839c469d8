// If folding and constant-input binding at import, on a hand-built model shaped
// like Silero VAD's (onnx/if_model.h): nested If nodes reading outer values.
#include "etch/eval/load_model.h"
#include "etch/onnx/importer.h"
#include "etch/runtime/interpreter.h"
#include "onnx/if_model.h"

namespace etch::onnx {
namespace {

using namespace etch::onnx::testing;

ir::Graph import_with(const std::map<std::string, std::vector<double>>& bound) {
  ImportOptions o = eval::import_options("");
  o.const_inputs = bound;
  return import_model_bytes(serialize(vad_like_model()), ".", "vad_like.onnx", o);
}

std::vector<float> run_on_x(const ir::Graph& g) {
  runtime::Interpreter interp(g);
  const Tensor x = Tensor::from_vector<float>({1, 4}, {1, 2, 3, 4});
  return interp.run({x})[0].to_float_vector();
}

TEST(IfFolding, ConstantConditionInlinesTheThenBranchRecursively) {
  const ir::Graph g = import_with({{"sr", {16000}}});
  ASSERT_EQ(g.inputs.size(), 1u);  // sr is bound: a weight now, not an input
  EXPECT_EQ(g.value(g.inputs[0]).name, "x");
  for (const auto& n : g.nodes()) EXPECT_NE(n.op_type, "If") << n.name;
  ASSERT_EQ(g.outputs.size(), 1u);
  EXPECT_EQ(g.value(g.outputs[0]).name, "y");  // the If's output name survives inlining
  EXPECT_NE(g.find_node_by_name("scale"), nullptr);
  EXPECT_EQ(g.find_node_by_name("shift"), nullptr);
  EXPECT_EQ(g.find_node_by_name("add"), nullptr);
  EXPECT_EQ(run_on_x(g), (std::vector<float>{2, 4, 6, 8}));
}

TEST(IfFolding, ConstantConditionInlinesTheElseBranch) {
  const ir::Graph g = import_with({{"sr", {8000}}});
  for (const auto& n : g.nodes()) EXPECT_NE(n.op_type, "If") << n.name;
  EXPECT_NE(g.find_node_by_name("add"), nullptr);
  EXPECT_EQ(g.find_node_by_name("scale"), nullptr);
  EXPECT_EQ(run_on_x(g), (std::vector<float>{2, 3, 4, 5}));
}

TEST(IfFolding, NonConstantConditionIsRefusedNamingTheNodeAndTheInputToBind) {
  const std::string msg = error_of([] { import_with({}); }, ErrorKind::Unsupported);
  EXPECT_NE(msg.find("node 'rate_if' (If)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'sr'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("--const-input"), std::string::npos) << msg;
}

TEST(IfFolding, WithoutAFolderOnlyADirectlyConstantConditionFolds) {
  // No evaluator injected: Equal(sr, 16000) cannot be computed, so the If is
  // refused even though sr is bound.
  ImportOptions o;
  o.const_inputs = {{"sr", {16000}}};
  const std::string msg =
      error_of([&] { import_model_bytes(serialize(vad_like_model()), ".", "m.onnx", o); }, ErrorKind::Unsupported);
  EXPECT_NE(msg.find("node 'rate_if' (If)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("could not be folded"), std::string::npos) << msg;
}

TEST(ConstInputs, OneValueFillsTheInputAndOnePerElementIsTaken) {
  ImportOptions o;
  o.const_inputs = {{"b", {1, 2, 3}}};
  auto m = make_model(13);
  add_input(m, "x", {1, 3});
  add_input(m, "b", {1, 3});
  add_node(m, "Add", {"x", "b"}, {"y"}, "add");
  add_output(m, "y", {1, 3});
  ir::Graph g = import_model_bytes(serialize(m), ".", "m.onnx", o);
  ASSERT_EQ(g.inputs.size(), 1u);
  const auto b = g.find_value("b");
  ASSERT_TRUE(b && g.value(*b).is_constant());
  EXPECT_EQ(g.value(*b).data->to_float_vector(), (std::vector<float>{1, 2, 3}));
  o.const_inputs = {{"b", {0.5}}};
  g = import_model_bytes(serialize(m), ".", "m.onnx", o);
  EXPECT_EQ(g.value(*g.find_value("b")).data->to_float_vector(), (std::vector<float>{0.5f, 0.5f, 0.5f}));
  // Two values for three elements: refused naming the input and its shape.
  o.const_inputs = {{"b", {1, 2}}};
  const std::string msg =
      error_of([&] { import_model_bytes(serialize(m), ".", "m.onnx", o); }, ErrorKind::InvalidInput);
  EXPECT_NE(msg.find("model input 'b' has shape [1,3]"), std::string::npos) << msg;
}

TEST(ConstInputs, AnInputWithASymbolicDimensionCannotBeBound) {
  ImportOptions o;
  o.const_inputs = {{"x", {1}}};
  auto m = make_model(13);
  add_input(m, "x", {-1, 3});
  add_node(m, "Relu", {"x"}, {"y"}, "relu");
  add_output(m, "y", {-1, 3});
  const std::string msg =
      error_of([&] { import_model_bytes(serialize(m), ".", "m.onnx", o); }, ErrorKind::InvalidInput);
  EXPECT_NE(msg.find("model input 'x' has a symbolic dimension"), std::string::npos) << msg;
}

TEST(InputShapes, SymbolicDimensionsGetTheGivenSizesSoAShapeTestFolds) {
  // vad_like_model with x declared [?, ?]: the inner If tests x's length, which
  // only folds once the shape is fixed.
  auto m = vad_like_model();
  auto* dims = m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
  for (auto& d : *dims->mutable_dim()) d.set_dim_param("N");
  ImportOptions o = eval::import_options("");
  o.const_inputs = {{"sr", {16000}}};
  const std::string msg = error_of([&] { import_model_bytes(serialize(m), ".", "m.onnx", o); }, ErrorKind::Unsupported);
  EXPECT_NE(msg.find("node 'len_if' (If)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'x'"), std::string::npos) << msg;
  o.input_shapes = {{"x", {1, 4}}};
  const ir::Graph g = import_model_bytes(serialize(m), ".", "m.onnx", o);
  EXPECT_EQ(g.value(g.inputs[0]).shape, (Shape{1, 4}));
  EXPECT_EQ(run_on_x(g), (std::vector<float>{2, 4, 6, 8}));
  // A shape of another rank is refused naming the input.
  o.input_shapes = {{"x", {4}}};
  const std::string rank =
      error_of([&] { import_model_bytes(serialize(m), ".", "m.onnx", o); }, ErrorKind::InvalidInput);
  EXPECT_NE(rank.find("model input 'x' has shape [?,?], of rank 2"), std::string::npos) << rank;
}

}  // namespace
}  // namespace etch::onnx
