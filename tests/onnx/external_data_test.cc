// External data is read only from files inside the model's folder.
#include "etch/onnx/importer.h"
#include "onnx/onnx_test_util.h"

namespace etch::onnx {
namespace {

using namespace etch::onnx::testing;
using ::onnx::TensorProto;

// y = x + w, with w [4] stored externally at `location` (offset 8 when given).
::onnx::ModelProto external_model(const std::string& location, bool with_offset) {
  auto m = make_model(13);
  add_input(m, "x", {4});
  TensorProto t;
  t.set_name("w");
  t.set_data_type(TensorProto::FLOAT);
  t.add_dims(4);
  t.set_data_location(TensorProto::EXTERNAL);
  auto* e = t.add_external_data();
  e->set_key("location");
  e->set_value(location);
  if (with_offset) {
    e = t.add_external_data();
    e->set_key("offset");
    e->set_value("8");
    e = t.add_external_data();
    e->set_key("length");
    e->set_value("16");
  }
  *m.mutable_graph()->add_initializer() = t;
  add_node(m, "Add", {"x", "w"}, {"y"});
  add_output(m, "y", {4});
  return m;
}

std::string float_bytes(const std::vector<float>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

TEST(OnnxExternalData, LoadsFromInsideTheModelFolder) {
  TempDir dir;
  fs::create_directories(dir.path() / "weights");
  write_bytes(dir.path() / "weights" / "w.bin", std::string(8, 'z') + float_bytes({1.5f, -2, 3, 4.25f}));
  const std::string path = dir.file("m.onnx");
  write_bytes(path, serialize(external_model("weights/w.bin", true)));
  ir::Graph g = import_model(path);
  auto w = g.find_value("w");
  ASSERT_TRUE(w);
  ASSERT_TRUE(g.value(*w).is_constant());
  EXPECT_EQ(g.value(*w).data->to_float_vector(), (std::vector<float>{1.5f, -2, 3, 4.25f}));

  // "./a/../w.bin" normalizes to a path inside the folder and is fine.
  write_bytes(dir.path() / "w.bin", float_bytes({7, 8, 9, 10}));
  write_bytes(path, serialize(external_model("./weights/../w.bin", false)));
  g = import_model(path);
  EXPECT_EQ(g.value(*g.find_value("w")).data->to_float_vector(), (std::vector<float>{7, 8, 9, 10}));
}

TEST(OnnxExternalData, ParentDirectoryIsRefused) {
  TempDir dir;
  fs::create_directories(dir.path() / "model");
  write_bytes(dir.path() / "x", float_bytes({1, 2, 3, 4}));  // exists, but outside the model folder
  const std::string path = (dir.path() / "model" / "m.onnx").string();
  for (const std::string loc : {"../x", "sub/../../x"}) {
    write_bytes(path, serialize(external_model(loc, false)));
    std::string msg = error_of([&] { import_model(path); }, ErrorKind::InvalidInput);
    EXPECT_NE(msg.find("tensor 'w'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'" + loc + "'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("outside the model's folder"), std::string::npos) << msg;
  }
}

TEST(OnnxExternalData, AbsolutePathIsRefused) {
  TempDir dir;
  const std::string path = dir.file("m.onnx");
  write_bytes(path, serialize(external_model("/etc/passwd", false)));
  std::string msg = error_of([&] { import_model(path); }, ErrorKind::InvalidInput);
  EXPECT_NE(msg.find("tensor 'w'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'/etc/passwd'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("absolute"), std::string::npos) << msg;
}

TEST(OnnxExternalData, SymlinkLeadingOutsideIsRefused) {
  TempDir dir;
  fs::create_directories(dir.path() / "model");
  write_bytes(dir.path() / "secret.bin", float_bytes({1, 2, 3, 4}));
  fs::create_symlink(dir.path() / "secret.bin", dir.path() / "model" / "link.bin");
  const std::string path = (dir.path() / "model" / "m.onnx").string();
  write_bytes(path, serialize(external_model("link.bin", false)));
  std::string msg = error_of([&] { import_model(path); }, ErrorKind::InvalidInput);
  EXPECT_NE(msg.find("'link.bin'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("resolves outside"), std::string::npos) << msg;
}

TEST(OnnxExternalData, MissingOrShortFileIsInvalidInput) {
  TempDir dir;
  const std::string path = dir.file("m.onnx");
  write_bytes(path, serialize(external_model("nothere.bin", false)));
  std::string msg = error_of([&] { import_model(path); }, ErrorKind::InvalidInput);
  EXPECT_NE(msg.find("'nothere.bin'"), std::string::npos) << msg;
  write_bytes(dir.path() / "short.bin", float_bytes({1, 2}));
  write_bytes(path, serialize(external_model("short.bin", false)));
  msg = error_of([&] { import_model(path); }, ErrorKind::InvalidInput);
  EXPECT_NE(msg.find("too short"), std::string::npos) << msg;
}

TEST(OnnxExternalData, BytesWithoutFolderAreRefused) {
  std::string msg = error_of([&] { import_model_bytes(serialize(external_model("w.bin", false)), "", "mem"); },
                             ErrorKind::InvalidInput);
  EXPECT_NE(msg.find("tensor 'w'"), std::string::npos) << msg;
}

}  // namespace
}  // namespace etch::onnx
