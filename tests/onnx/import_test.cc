// Importer: normal models, Constant nodes, attributes, and every way a model
// file can be refused (bad bytes, missing shapes, bad dims, unsupported ops,
// opsets and types).
#include <random>

#include "etch/ir/op_registry.h"
#include "etch/onnx/importer.h"
#include "etch/runtime/interpreter.h"
#include "etch/runtime/kernel_registry.h"
#include "onnx/onnx_test_util.h"

namespace etch::onnx {
namespace {

using namespace etch::onnx::testing;
using ::onnx::TensorProto;

// x[N,3] @ W[3,2] + b -> Relu, with b from an unnamed Constant node.
::onnx::ModelProto mlp_model() {
  auto m = make_model(13);
  add_input(m, "x", {-1, 3});
  *m.mutable_graph()->add_initializer() = float_tensor("W", {3, 2}, {1, 0, 0, 1, 1, 1});
  auto* c = add_node(m, "Constant", {}, {"b"});
  auto* a = c->add_attribute();
  a->set_name("value_floats");
  a->set_type(::onnx::AttributeProto::FLOATS);
  a->add_floats(0.5f);
  a->add_floats(-6.0f);
  add_node(m, "MatMul", {"x", "W"}, {"h"}, "mm");
  add_node(m, "Add", {"h", "b"}, {"s"});
  add_node(m, "Relu", {"s"}, {"y"}, "relu");
  add_output(m, "y", {-1, 2});
  return m;
}

TEST(OnnxImport, ConvertsInputsInitializersConstantsAndNodes) {
  ir::Graph g = import_model_bytes(serialize(mlp_model()), ".", "mlp.onnx");
  EXPECT_EQ(g.opset, 13);
  ASSERT_EQ(g.inputs.size(), 1u);
  const ir::Value& x = g.value(g.inputs[0]);
  EXPECT_EQ(x.name, "x");
  EXPECT_EQ(x.shape, (Shape{-1, 3}));
  auto w = g.find_value("W");
  ASSERT_TRUE(w);
  ASSERT_TRUE(g.value(*w).is_constant());
  EXPECT_EQ(g.value(*w).data->to_float_vector(), (std::vector<float>{1, 0, 0, 1, 1, 1}));
  auto b = g.find_value("b");
  ASSERT_TRUE(b);
  ASSERT_TRUE(g.value(*b).is_constant());
  EXPECT_EQ(g.value(*b).data->shape(), (Shape{2}));
  EXPECT_EQ(g.value(*b).data->to_float_vector(), (std::vector<float>{0.5f, -6.0f}));
  // The Constant node became a value; the unnamed Add got a name from its op and position.
  ASSERT_EQ(g.nodes().size(), 3u);
  EXPECT_EQ(g.nodes()[0].name, "mm");
  EXPECT_EQ(g.nodes()[1].name, "Add_2");
  EXPECT_EQ(g.nodes()[1].op_type, "Add");
  EXPECT_EQ(g.nodes()[2].name, "relu");
  // ONNX shape inference filled the intermediate shape, keeping the symbolic batch.
  const ir::Value& h = g.value(*g.find_value("h"));
  EXPECT_TRUE(h.has_shape);
  EXPECT_EQ(h.shape, (Shape{-1, 2}));
  ASSERT_EQ(g.outputs.size(), 1u);
  EXPECT_EQ(g.value(g.outputs[0]).name, "y");
  EXPECT_EQ(g.value(g.outputs[0]).shape, (Shape{-1, 2}));
}

TEST(OnnxImport, ImportedModelRuns) {
  ir::Graph g = import_model_bytes(serialize(mlp_model()), ".", "mlp.onnx");
  runtime::Interpreter interp(g);
  auto out = interp.run({Tensor::from_vector<float>({2, 3}, {1, 2, 3, -1, 0, 0})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape(), (Shape{2, 2}));
  // [1,2,3]@W = [4,5] + [0.5,-6] = [4.5,-1] -> [4.5,0]; [-1,0,0]@W = [-1,0] + b = [-0.5,-6] -> 0
  EXPECT_EQ(out[0].to_float_vector(), (std::vector<float>{4.5f, 0, 0, 0}));
}

TEST(OnnxImport, ConstantNodeVariants) {
  auto m = make_model(13);
  add_input(m, "x", {2});
  auto scalar = [&](const std::string& attr, const std::string& out) {
    auto* a = add_node(m, "Constant", {}, {out})->add_attribute();
    a->set_name(attr);
    return a;
  };
  auto* a1 = scalar("value_float", "cf");
  a1->set_type(::onnx::AttributeProto::FLOAT);
  a1->set_f(2.5f);
  auto* a2 = scalar("value_int", "ci");
  a2->set_type(::onnx::AttributeProto::INT);
  a2->set_i(-7);
  auto* a3 = scalar("value_ints", "cis");
  a3->set_type(::onnx::AttributeProto::INTS);
  a3->add_ints(3);
  a3->add_ints(4);
  auto* a4 = scalar("value", "ct");
  a4->set_type(::onnx::AttributeProto::TENSOR);
  TensorProto t;
  t.set_data_type(TensorProto::INT32);
  t.add_dims(2);
  t.add_int32_data(10);
  t.add_int32_data(-20);
  *a4->mutable_t() = t;
  add_node(m, "Relu", {"x"}, {"y"});
  add_output(m, "y", {2});
  add_output(m, "cf", {}, TensorProto::FLOAT);
  add_output(m, "ci", {}, TensorProto::INT64);
  add_output(m, "cis", {2}, TensorProto::INT64);
  add_output(m, "ct", {2}, TensorProto::INT32);
  ir::Graph g = import_model_bytes(serialize(m), ".", "c.onnx");
  ASSERT_EQ(g.nodes().size(), 1u);
  const Tensor& cf = *g.value(*g.find_value("cf")).data;
  EXPECT_EQ(cf.dtype(), DType::F32);
  EXPECT_EQ(cf.rank(), 0);
  EXPECT_EQ(cf.data<float>()[0], 2.5f);
  const Tensor& ci = *g.value(*g.find_value("ci")).data;
  EXPECT_EQ(ci.dtype(), DType::I64);
  EXPECT_EQ(ci.to_int64_vector(), (std::vector<int64_t>{-7}));
  const Tensor& cis = *g.value(*g.find_value("cis")).data;
  EXPECT_EQ(cis.shape(), (Shape{2}));
  EXPECT_EQ(cis.to_int64_vector(), (std::vector<int64_t>{3, 4}));
  const Tensor& ct = *g.value(*g.find_value("ct")).data;
  EXPECT_EQ(ct.dtype(), DType::I32);
  EXPECT_EQ(ct.to_int64_vector(), (std::vector<int64_t>{10, -20}));
  EXPECT_EQ(g.outputs.size(), 5u);
}

TEST(OnnxImport, TruncatedFileIsInvalidInputNamingTheFile) {
  TempDir dir;
  std::string bytes = serialize(mlp_model());
  const std::string path = dir.file("cut.onnx");
  write_bytes(path, bytes.substr(0, bytes.size() / 2));
  std::string msg = error_of([&] { import_model(path); }, ErrorKind::InvalidInput);
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  // Every prefix is refused cleanly (never a crash, never a different error kind).
  for (size_t n = 0; n < bytes.size(); n += 7)
    error_of([&] { import_model_bytes(bytes.substr(0, n), ".", "prefix.onnx"); }, ErrorKind::InvalidInput);
}

TEST(OnnxImport, RandomBytesAreInvalidInputNamingTheFile) {
  TempDir dir;
  std::mt19937 rng(1234);
  std::string bytes(4096, '\0');
  for (auto& c : bytes) c = static_cast<char>(rng() & 0xff);
  const std::string path = dir.file("noise.onnx");
  write_bytes(path, bytes);
  std::string msg = error_of([&] { import_model(path); }, ErrorKind::InvalidInput);
  EXPECT_NE(msg.find(path + ": not a valid ONNX model"), std::string::npos) << msg;
  for (int seed = 0; seed < 200; ++seed) {
    std::mt19937 r(seed);
    std::string b(static_cast<size_t>(r() % 300), '\0');
    for (auto& c : b) c = static_cast<char>(r() & 0xff);
    std::string m = error_of([&] { import_model_bytes(b, ".", "noise.onnx"); }, ErrorKind::InvalidInput);
    EXPECT_NE(m.find("noise.onnx"), std::string::npos) << m;
  }
}

TEST(OnnxImport, MissingFileIsInvalidInput) {
  std::string msg = error_of([] { import_model("/nonexistent/model.onnx"); }, ErrorKind::InvalidInput);
  EXPECT_NE(msg.find("/nonexistent/model.onnx"), std::string::npos);
}

TEST(OnnxImport, InputWithoutShapeIsRefused) {
  auto m = make_model(13);
  set_type(m.mutable_graph()->add_input(), "x", TensorProto::FLOAT, {}, /*with_shape=*/false);
  add_node(m, "Relu", {"x"}, {"y"});
  add_output(m, "y", {4});
  std::string msg = error_of([&] { import_model_bytes(serialize(m), ".", "ns.onnx"); }, ErrorKind::InvalidInput);
  EXPECT_NE(msg.find("ns.onnx: model input 'x' has no shape"), std::string::npos) << msg;
}

TEST(OnnxImport, ZeroOrNegativeInputDimIsRefused) {
  for (int64_t bad : {0, -3}) {
    auto m = make_model(13);
    auto* vi = m.mutable_graph()->add_input();
    set_type(vi, "img", TensorProto::FLOAT, {1, 4});
    vi->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(1)->set_dim_value(bad);
    add_node(m, "Relu", {"img"}, {"y"});
    add_output(m, "y", {1, 4});
    std::string msg = error_of([&] { import_model_bytes(serialize(m), ".", "dims.onnx"); }, ErrorKind::InvalidInput);
    EXPECT_NE(msg.find("model input 'img'"), std::string::npos) << msg;
    EXPECT_NE(msg.find(std::to_string(bad)), std::string::npos) << msg;
  }
}

TEST(OnnxImport, AllUnsupportedNodesAreListedInOneError) {
  auto m = make_model(13);
  auto* o = m.add_opset_import();
  o->set_domain("com.example");
  o->set_version(1);
  add_input(m, "x", {4});
  add_node(m, "Frobnicate", {"x"}, {"a"}, "frob", "com.example");
  add_node(m, "Relu", {"a"}, {"b"}, "r");
  add_node(m, "Twiddle", {"b"}, {"y"}, "", "com.example");
  add_output(m, "y", {4});
  std::string msg = error_of([&] { import_model_bytes(serialize(m), ".", "ops.onnx"); }, ErrorKind::Unsupported);
  EXPECT_NE(msg.find("ops.onnx"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'frob' (com.example.Frobnicate)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'Twiddle_2' (com.example.Twiddle)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("2 node(s)"), std::string::npos) << msg;
}

TEST(OnnxImport, OpsetBelowSevenIsUpgradedByTheVersionConverter) {
  auto m = make_model(6);
  add_input(m, "x", {4});
  add_node(m, "Relu", {"x"}, {"y"});
  add_output(m, "y", {4});
  ir::Graph g = import_model_bytes(serialize(m), ".", "o6.onnx");
  EXPECT_EQ(g.opset, 11);
  ASSERT_EQ(g.nodes().size(), 1u);
  EXPECT_EQ(g.nodes()[0].op_type, "Relu");
}

TEST(OnnxImport, OpsetOutsideRangeIsUnsupported) {
  for (int64_t opset : {18, 19}) {
    auto m = make_model(opset);
    add_input(m, "x", {4});
    add_node(m, "Relu", {"x"}, {"y"});
    add_output(m, "y", {4});
    std::string msg = error_of([&] { import_model_bytes(serialize(m), ".", "o.onnx"); }, ErrorKind::Unsupported);
    EXPECT_NE(msg.find("opset " + std::to_string(opset)), std::string::npos) << msg;
  }
}

TEST(OnnxImport, UnsupportedElementTypeNamesTheTensor) {
  auto m = make_model(13);
  add_input(m, "xd", {4}, TensorProto::DOUBLE);
  add_node(m, "Relu", {"xd"}, {"y"});
  add_output(m, "y", {4}, TensorProto::DOUBLE);
  std::string msg = error_of([&] { import_model_bytes(serialize(m), ".", "d.onnx"); }, ErrorKind::Unsupported);
  EXPECT_NE(msg.find("'xd'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("DOUBLE"), std::string::npos) << msg;

  auto m2 = make_model(13);
  add_input(m2, "x", {2});
  TensorProto h;
  h.set_name("half_w");
  h.set_data_type(TensorProto::FLOAT16);
  h.add_dims(2);
  h.add_int32_data(0);
  h.add_int32_data(0);
  *m2.mutable_graph()->add_initializer() = h;
  add_node(m2, "Relu", {"x"}, {"y"});
  add_output(m2, "y", {2});
  msg = error_of([&] { import_model_bytes(serialize(m2), ".", "h.onnx"); }, ErrorKind::Unsupported);
  EXPECT_NE(msg.find("initializer 'half_w'"), std::string::npos) << msg;
}

TEST(OnnxImport, SubgraphAttributeIsUnsupportedNamingTheNode) {
  auto m = make_model(13);
  add_input(m, "cond", {1}, TensorProto::BOOL);
  auto* n = add_node(m, "If", {"cond"}, {"y"}, "branch");
  for (const char* name : {"then_branch", "else_branch"}) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(::onnx::AttributeProto::GRAPH);
    auto* sub = a->mutable_g();
    sub->set_name(name);
    auto* c = sub->add_node();
    c->set_op_type("Constant");
    c->add_output(std::string(name) + "_out");
    auto* v = c->add_attribute();
    v->set_name("value");
    v->set_type(::onnx::AttributeProto::TENSOR);
    *v->mutable_t() = float_tensor("", {1}, {1.0f});
    set_type(sub->add_output(), std::string(name) + "_out", TensorProto::FLOAT, {1});
  }
  add_output(m, "y", {1});
  std::string msg = error_of([&] { import_model_bytes(serialize(m), ".", "if.onnx"); }, ErrorKind::Unsupported);
  EXPECT_NE(msg.find("node 'branch' (If)"), std::string::npos) << msg;
}

TEST(OnnxImport, CheckerErrorsAreInvalidInputNamingTheFile) {
  auto m = make_model(13);
  add_input(m, "x", {4});
  add_node(m, "Relu", {"missing"}, {"y"});
  add_output(m, "y", {4});
  std::string msg = error_of([&] { import_model_bytes(serialize(m), ".", "bad.onnx"); }, ErrorKind::InvalidInput);
  EXPECT_NE(msg.find("bad.onnx"), std::string::npos) << msg;
  // Without the checker the converter still refuses the undefined name.
  ImportOptions opts;
  opts.run_checker = false;
  opts.run_shape_inference = false;
  msg = error_of([&] { import_model_bytes(serialize(m), ".", "bad.onnx", opts); }, ErrorKind::InvalidInput);
  EXPECT_NE(msg.find("'missing'"), std::string::npos) << msg;
}

// Regression (fuzz_onnx_import): a Conv with a stride of 0 crashed inside
// ONNX's shape inference with a division by zero.
TEST(OnnxImport, ZeroStrideOrDilationIsInvalidInputNamingTheNode) {
  for (const char* attr : {"strides", "dilations"}) {
    auto m = make_model(13);
    add_input(m, "x", {1, 1, 5, 5});
    *m.mutable_graph()->add_initializer() = float_tensor("w", {1, 1, 3, 3}, std::vector<float>(9, 1.0f));
    auto* conv = add_node(m, "Conv", {"x", "w"}, {"y"}, "conv0");
    auto* a = conv->add_attribute();
    a->set_name(attr);
    a->set_type(::onnx::AttributeProto::INTS);
    a->add_ints(1);
    a->add_ints(0);
    add_output(m, "y", {1, 1, 3, 3});
    const std::string msg =
        error_of([&] { import_model_bytes(serialize(m), ".", "stride.onnx"); }, ErrorKind::InvalidInput);
    EXPECT_NE(msg.find("stride.onnx"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'conv0'"), std::string::npos) << msg;
    EXPECT_NE(msg.find(attr), std::string::npos) << msg;
  }
}

TEST(OnnxImport, InitializerListedAsInputIsNotARuntimeInput) {
  auto m = make_model(13);
  m.set_ir_version(3);
  add_input(m, "x", {3});
  add_input(m, "w", {3});
  *m.mutable_graph()->add_initializer() = float_tensor("w", {3}, {1, 2, 3});
  add_node(m, "Add", {"x", "w"}, {"y"});
  add_output(m, "y", {3});
  ir::Graph g = import_model_bytes(serialize(m), ".", "ir3.onnx");
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.value(g.inputs[0]).name, "x");
  EXPECT_TRUE(g.value(*g.find_value("w")).is_constant());
}

TEST(OnnxImport, RawDataSizeMismatchIsInvalidInput) {
  auto m = make_model(13);
  add_input(m, "x", {2});
  TensorProto t;
  t.set_name("w");
  t.set_data_type(TensorProto::FLOAT);
  t.add_dims(2);
  t.set_raw_data(std::string(5, '\0'));
  *m.mutable_graph()->add_initializer() = t;
  add_node(m, "Add", {"x", "w"}, {"y"});
  add_output(m, "y", {2});
  ImportOptions opts;
  opts.run_checker = false;  // reach the converter's own check
  std::string msg = error_of([&] { import_model_bytes(serialize(m), ".", "raw.onnx", opts); }, ErrorKind::InvalidInput);
  EXPECT_NE(msg.find("initializer 'w'"), std::string::npos) << msg;
}

}  // namespace
}  // namespace etch::onnx
