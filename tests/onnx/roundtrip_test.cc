// Export, and import → export → import giving the same graph and outputs.
#include <set>

#include "etch/core/atomic_file.h"
#include "etch/ir/op_registry.h"
#include "etch/onnx/exporter.h"
#include "etch/onnx/importer.h"
#include "etch/runtime/interpreter.h"
#include "etch/runtime/kernel_registry.h"
#include "onnx/graph_equal.h"
#include "onnx/onnx_test_util.h"

namespace etch::onnx {
namespace {

using namespace etch::onnx::testing;
using ::onnx::AttributeProto;
using ::onnx::TensorProto;

// A test-only op in its own domain, so these tests do not depend on which ONNX
// ops the runtime has: Probe(x, extra...) -> x * alpha + sum(offset).
void probe_infer(ir::InferContext& c) {
  for (size_t i = 0; i < c.num_outputs(); ++i) c.set_output(i, c.dtype(0), c.shape(0), c.input(0).has_shape);
}
void probe_kernel(runtime::KernelContext& k) {
  const Tensor& x = k.input(0);
  float alpha = k.node().attr_float("alpha", 1.0f), off = 0;
  if (const Tensor* t = k.node().attr_tensor("offset"))
    for (float v : t->to_float_vector()) off += v;
  for (size_t o = 0; o < k.num_outputs(); ++o)
    for (int64_t i = 0; i < x.numel(); ++i) k.output(o).data<float>()[i] = x.data<float>()[i] * alpha + off;
}
ETCH_REGISTER_OP({"Probe", "test.etch", 1, 8, 1, 3, probe_infer});
ETCH_REGISTER_KERNEL("Probe", "test.etch", DType::F32, probe_kernel);

::onnx::ModelProto probe_model() {
  auto m = make_model(15);
  auto* o = m.add_opset_import();
  o->set_domain("test.etch");
  o->set_version(1);
  add_input(m, "x", {-1, 3});
  auto add_init = [&](const std::string& name, int32_t type, const std::string& raw, int64_t n) {
    TensorProto t;
    t.set_name(name);
    t.set_data_type(type);
    t.add_dims(n);
    t.set_raw_data(raw);
    *m.mutable_graph()->add_initializer() = t;
  };
  add_init("i8", TensorProto::INT8, std::string("\x01\xff", 2), 2);
  add_init("u8", TensorProto::UINT8, std::string("\x07\xfe", 2), 2);
  add_init("b", TensorProto::BOOL, std::string("\x01\x00\x01", 3), 3);
  int32_t i32[2] = {-5, 1 << 20};
  add_init("i32", TensorProto::INT32, std::string(reinterpret_cast<char*>(i32), sizeof i32), 2);
  int64_t i64[1] = {int64_t{1} << 40};
  add_init("i64", TensorProto::INT64, std::string(reinterpret_cast<char*>(i64), sizeof i64), 1);
  add_init("unused", TensorProto::FLOAT, std::string(4, '\0'), 1);
  auto* c = add_node(m, "Constant", {}, {"k"}, "const");
  auto* ca = c->add_attribute();
  ca->set_name("value");
  ca->set_type(AttributeProto::TENSOR);
  *ca->mutable_t() = float_tensor("", {1}, {0.25f});

  auto* n = add_node(m, "Probe", {"x", "i8", "", "u8", "b", "i32", "i64", "k"}, {"h", "", "h2"}, "probe", "test.etch");
  auto attr = [&](const std::string& name, AttributeProto::AttributeType t) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(t);
    return a;
  };
  attr("alpha", AttributeProto::FLOAT)->set_f(2.0f);
  attr("count", AttributeProto::INT)->set_i(-3);
  attr("mode", AttributeProto::STRING)->set_s("nearest");
  auto* ints = attr("pads", AttributeProto::INTS);
  ints->add_ints(1);
  ints->add_ints(-2);
  attr("empty", AttributeProto::INTS);
  auto* floats = attr("scales", AttributeProto::FLOATS);
  floats->add_floats(0.5f);
  floats->add_floats(1e-8f);
  auto* strs = attr("acts", AttributeProto::STRINGS);
  strs->add_strings("Sigmoid");
  strs->add_strings("Tanh");
  *attr("offset", AttributeProto::TENSOR)->mutable_t() = float_tensor("", {2}, {1.0f, 0.5f});
  add_node(m, "Probe", {"h2"}, {"y"}, "", "test.etch");
  add_output(m, "y", {-1, 3});
  add_output(m, "h", {-1, 3});
  return m;
}

TEST(OnnxRoundTrip, AllAttributeTypesDtypesAndOmittedValues) {
  ir::Graph g = import_model_bytes(serialize(probe_model()), ".", "probe.onnx");
  const ir::Node& n = g.nodes()[0];
  EXPECT_EQ(n.name, "probe");
  EXPECT_EQ(n.domain, "test.etch");
  EXPECT_EQ(n.attr_float("alpha", 0), 2.0f);
  EXPECT_EQ(n.attr_int("count", 0), -3);
  EXPECT_EQ(n.attr_string("mode", ""), "nearest");
  EXPECT_EQ(n.attr_ints("pads"), (std::vector<int64_t>{1, -2}));
  EXPECT_EQ(n.attr_ints("empty", {9}), std::vector<int64_t>{});
  EXPECT_EQ(n.attr_floats("scales"), (std::vector<float>{0.5f, 1e-8f}));
  EXPECT_EQ(std::get<std::vector<std::string>>(n.attrs.at("acts")), (std::vector<std::string>{"Sigmoid", "Tanh"}));
  ASSERT_NE(n.attr_tensor("offset"), nullptr);
  EXPECT_EQ(n.attr_tensor("offset")->to_float_vector(), (std::vector<float>{1.0f, 0.5f}));
  ASSERT_EQ(n.inputs.size(), 8u);
  EXPECT_EQ(n.inputs[2], ir::kNoValue);
  ASSERT_EQ(n.outputs.size(), 3u);  // the omitted middle output got a placeholder
  EXPECT_EQ(g.value(n.outputs[1]).name, "probe_unused_1");
  EXPECT_EQ(g.value(*g.find_value("i8")).data->to_int64_vector(), (std::vector<int64_t>{1, -1}));
  EXPECT_EQ(g.value(*g.find_value("u8")).data->to_int64_vector(), (std::vector<int64_t>{7, 254}));
  EXPECT_EQ(g.value(*g.find_value("b")).data->to_int64_vector(), (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(g.value(*g.find_value("i32")).data->to_int64_vector(), (std::vector<int64_t>{-5, 1 << 20}));
  EXPECT_EQ(g.value(*g.find_value("i64")).data->to_int64_vector(), (std::vector<int64_t>{int64_t{1} << 40}));
  EXPECT_EQ(g.nodes()[1].name, "Probe_2");

  ir::Graph g2 = import_model_bytes(export_model_bytes(g), ".", "probe2.onnx");
  EXPECT_EQ(graph_difference(g, g2), "");
  ir::Graph g3 = import_model_bytes(export_model_bytes(g2), ".", "probe3.onnx");
  EXPECT_EQ(graph_difference(g2, g3), "");

  auto x = Tensor::from_vector<float>({1, 3}, {1, -2, 4});
  auto out1 = runtime::Interpreter(g).run({x});
  auto out2 = runtime::Interpreter(g2).run({x});
  ASSERT_EQ(out1.size(), 2u);
  // h2 = x*2 + 1.5; y = h2 (alpha 1, no offset)
  EXPECT_EQ(out1[0].to_float_vector(), (std::vector<float>{3.5f, -2.5f, 9.5f}));
  for (size_t i = 0; i < out1.size(); ++i) EXPECT_TRUE(out1[i].equals(out2[i])) << i;
}

TEST(OnnxRoundTrip, ExportWritesInitializersOnlyForUsedConstantsAndValueInfo) {
  ir::Graph g = import_model_bytes(serialize(probe_model()), ".", "probe.onnx");
  ::onnx::ModelProto m;
  ASSERT_TRUE(m.ParseFromString(export_model_bytes(g)));
  EXPECT_EQ(m.ir_version(), 8);
  bool has_default = false, has_test = false;
  for (const auto& o : m.opset_import()) {
    if (o.domain().empty()) has_default = o.version() == 15;
    if (o.domain() == "test.etch") has_test = true;
  }
  EXPECT_TRUE(has_default);
  EXPECT_TRUE(has_test);
  std::set<std::string> inits;
  for (const auto& t : m.graph().initializer()) inits.insert(t.name());
  EXPECT_EQ(inits, (std::set<std::string>{"i8", "u8", "b", "i32", "i64", "k"}));
}

TEST(OnnxRoundTrip, GraphBuiltInEtchExportsAndImportsBack) {
  ir::Graph g;
  g.opset = 13;
  g.name = "built";
  ir::ValueId x = g.add_input("x", DType::F32, {2, 2});
  ir::ValueId w = g.add_constant("w", Tensor::from_vector<float>({2}, {1, 2}));
  ir::ValueId h = g.add_value("h", DType::F32, {2, 2});
  ir::ValueId y = g.add_value("y", DType::F32, {2, 2});
  g.add_node("Probe", {x, w}, {h}, "p1", {{"alpha", 3.0f}}, "test.etch");
  g.add_node("Probe", {h}, {y}, "p2", {{"offset", Tensor::from_vector<float>({1}, {-1})}}, "test.etch");
  g.outputs = {y};
  TempDir dir;
  const std::string path = dir.file("built.onnx");
  export_model(g, path);
  EXPECT_FALSE(fs::exists(path + ".tmp." + std::to_string(::getpid())));
  ir::Graph back = import_model(path);
  EXPECT_EQ(graph_difference(g, back), "");
  EXPECT_EQ(back.name, "built");
  auto in = Tensor::from_vector<float>({2, 2}, {1, 2, 3, 4});
  EXPECT_EQ(runtime::Interpreter(back).run({in})[0].to_float_vector(), (std::vector<float>{2, 5, 8, 11}));
}

TEST(OnnxRoundTrip, ExportIntoMissingFolderFailsAndLeavesNothing) {
  ir::Graph g;
  ir::ValueId x = g.add_input("x", DType::F32, {1});
  ir::ValueId y = g.add_value("y", DType::F32, {1});
  g.add_node("Probe", {x}, {y}, "p", {}, "test.etch");
  g.outputs = {y};
  TempDir dir;
  const std::string path = (dir.path() / "nope" / "m.onnx").string();
  error_of([&] { export_model(g, path); }, ErrorKind::InvalidInput);
  EXPECT_FALSE(fs::exists(dir.path() / "nope"));
}

TEST(OnnxRoundTrip, StandardOpsModelKeepsStructureAndOutputs) {
  auto m = make_model(13);
  add_input(m, "x", {-1, 3});
  *m.mutable_graph()->add_initializer() = float_tensor("W", {3, 2}, {1, 0, 0, 1, 1, 1});
  *m.mutable_graph()->add_initializer() = float_tensor("b", {2}, {0.5f, -6});
  add_node(m, "MatMul", {"x", "W"}, {"h"}, "mm");
  add_node(m, "Add", {"h", "b"}, {"s"});
  auto* t = add_node(m, "Transpose", {"s"}, {"y"});
  auto* perm = t->add_attribute();
  perm->set_name("perm");
  perm->set_type(AttributeProto::INTS);
  perm->add_ints(1);
  perm->add_ints(0);
  add_output(m, "y", {2, -1});
  ir::Graph g = import_model_bytes(serialize(m), ".", "std.onnx");
  const std::string bytes = export_model_bytes(g);
  ir::Graph g2 = import_model_bytes(bytes, ".", "std2.onnx");
  EXPECT_EQ(graph_difference(g, g2), "");
  // The intermediate 'h' keeps its inferred shape [N, 2] in value_info.
  ::onnx::ModelProto exported;
  ASSERT_TRUE(exported.ParseFromString(bytes));
  bool h_info = false;
  for (const auto& vi : exported.graph().value_info())
    if (vi.name() == "h") {
      h_info = true;
      const auto& shape = vi.type().tensor_type().shape();
      ASSERT_EQ(shape.dim_size(), 2);
      EXPECT_FALSE(shape.dim(0).has_dim_value());
      EXPECT_EQ(shape.dim(1).dim_value(), 2);
    }
  EXPECT_TRUE(h_info) << "intermediate 'h' should have value_info";
  auto x = Tensor::from_vector<float>({1, 3}, {1, 2, 3});
  auto a = runtime::Interpreter(g).run({x});
  auto b = runtime::Interpreter(g2).run({x});
  EXPECT_EQ(a[0].shape(), (Shape{2, 1}));
  EXPECT_EQ(a[0].to_float_vector(), (std::vector<float>{4.5f, -1}));
  EXPECT_TRUE(a[0].equals(b[0]));
}

}  // namespace
}  // namespace etch::onnx
