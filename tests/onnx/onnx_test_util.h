// Helpers for building small ONNX models in C++ and for per-test temp folders.
#pragma once
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "etch/core/error.h"

namespace etch::onnx::testing {

namespace fs = std::filesystem;

inline ::onnx::ModelProto make_model(int64_t opset = 13) {
  ::onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("etch-test");
  auto* o = m.add_opset_import();
  o->set_domain("");
  o->set_version(opset);
  m.mutable_graph()->set_name("test");
  return m;
}

// dims: >= 0 a fixed size, -1 a symbolic dim ("N"), -2 a dim with neither
inline void set_type(::onnx::ValueInfoProto* vi, const std::string& name, int32_t elem,
                     const std::vector<int64_t>& dims, bool with_shape = true) {
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(elem);
  if (!with_shape) return;
  auto* s = tt->mutable_shape();
  for (int64_t d : dims) {
    auto* dim = s->add_dim();
    if (d >= 0)
      dim->set_dim_value(d);
    else if (d == -1)
      dim->set_dim_param("N");
  }
}

inline void add_input(::onnx::ModelProto& m, const std::string& name, const std::vector<int64_t>& dims,
                      int32_t elem = ::onnx::TensorProto::FLOAT) {
  set_type(m.mutable_graph()->add_input(), name, elem, dims);
}

// The checker requires a shape on the main graph's outputs; -1 dims are symbolic.
inline void add_output(::onnx::ModelProto& m, const std::string& name, const std::vector<int64_t>& dims,
                       int32_t elem = ::onnx::TensorProto::FLOAT) {
  set_type(m.mutable_graph()->add_output(), name, elem, dims);
}

inline ::onnx::NodeProto* add_node(::onnx::ModelProto& m, const std::string& op, const std::vector<std::string>& ins,
                                   const std::vector<std::string>& outs, const std::string& name = "",
                                   const std::string& domain = "") {
  auto* n = m.mutable_graph()->add_node();
  n->set_op_type(op);
  if (!name.empty()) n->set_name(name);
  if (!domain.empty()) n->set_domain(domain);
  for (const auto& i : ins) n->add_input(i);
  for (const auto& o : outs) n->add_output(o);
  return n;
}

inline ::onnx::TensorProto float_tensor(const std::string& name, const std::vector<int64_t>& dims,
                                        const std::vector<float>& v) {
  ::onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(::onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t.add_dims(d);
  for (float f : v) t.add_float_data(f);
  return t;
}

inline std::string serialize(const ::onnx::ModelProto& m) {
  std::string s;
  EXPECT_TRUE(m.SerializeToString(&s));
  return s;
}

inline void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A fresh folder per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string("etch_onnx_") +
                       (info ? info->test_suite_name() + std::string("_") + info->name() : "x") + "_" +
                       std::to_string(::getpid());
    path_ = fs::temp_directory_path() / name;
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// Runs f, expects an etch::Error of the given kind, returns its message.
template <typename F>
std::string error_of(F&& f, ErrorKind kind) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(error_kind_name(e.kind()), std::string(error_kind_name(kind))) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "expected an etch::Error of kind " << error_kind_name(kind);
  return "";
}

}  // namespace etch::onnx::testing
