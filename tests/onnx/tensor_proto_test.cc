// read_tensor_proto_file: raw_data and the typed fields, and refusals.
#include "etch/onnx/tensor_proto.h"

#include "etch/onnx/importer.h"
#include "onnx/onnx_test_util.h"

namespace etch::onnx {
namespace {

using namespace etch::onnx::testing;
using ::onnx::TensorProto;

std::string write_proto(const TempDir& dir, const std::string& name, const TensorProto& t) {
  std::string bytes;
  EXPECT_TRUE(t.SerializeToString(&bytes));
  const std::string path = dir.file(name);
  write_bytes(path, bytes);
  return path;
}

TEST(OnnxTensorProto, ReadsTypedFields) {
  TempDir dir;
  Tensor f = read_tensor_proto_file(write_proto(dir, "f.pb", float_tensor("f", {2, 2}, {1, -2, 3.5f, 0})));
  EXPECT_EQ(f.dtype(), DType::F32);
  EXPECT_EQ(f.shape(), (Shape{2, 2}));
  EXPECT_EQ(f.to_float_vector(), (std::vector<float>{1, -2, 3.5f, 0}));

  TensorProto i8;
  i8.set_data_type(TensorProto::INT8);
  i8.add_dims(3);
  for (int v : {-128, 0, 127}) i8.add_int32_data(v);
  Tensor a = read_tensor_proto_file(write_proto(dir, "i8.pb", i8));
  EXPECT_EQ(a.dtype(), DType::I8);
  EXPECT_EQ(a.to_int64_vector(), (std::vector<int64_t>{-128, 0, 127}));

  TensorProto b;
  b.set_data_type(TensorProto::BOOL);
  b.add_dims(3);
  for (int v : {1, 0, 5}) b.add_int32_data(v);
  Tensor bt = read_tensor_proto_file(write_proto(dir, "b.pb", b));
  EXPECT_EQ(bt.dtype(), DType::Bool);
  EXPECT_EQ(bt.to_int64_vector(), (std::vector<int64_t>{1, 0, 1}));

  TensorProto i64;
  i64.set_data_type(TensorProto::INT64);
  i64.add_int64_data(int64_t{-1} << 40);  // no dims: a scalar
  Tensor s = read_tensor_proto_file(write_proto(dir, "s.pb", i64));
  EXPECT_EQ(s.rank(), 0);
  EXPECT_EQ(s.to_int64_vector(), (std::vector<int64_t>{int64_t{-1} << 40}));
}

TEST(OnnxTensorProto, ReadsRawDataAndNormalizesBools) {
  TempDir dir;
  TensorProto t;
  t.set_data_type(TensorProto::INT32);
  t.add_dims(2);
  int32_t v[2] = {-7, 123456};
  t.set_raw_data(std::string(reinterpret_cast<char*>(v), sizeof v));
  EXPECT_EQ(read_tensor_proto_file(write_proto(dir, "r.pb", t)).to_int64_vector(), (std::vector<int64_t>{-7, 123456}));
  TensorProto b;
  b.set_data_type(TensorProto::BOOL);
  b.add_dims(2);
  b.set_raw_data(std::string("\x02\x00", 2));
  Tensor bt = read_tensor_proto_file(write_proto(dir, "rb.pb", b));
  EXPECT_EQ(bt.raw()[0], 1);  // nonzero byte becomes a proper true
  EXPECT_EQ(bt.raw()[1], 0);
}

TEST(OnnxTensorProto, RefusesWrongCountsTypesAndGarbage) {
  TempDir dir;
  TensorProto t = float_tensor("short", {3}, {1, 2});
  std::string msg = error_of([&] { read_tensor_proto_file(write_proto(dir, "short.pb", t)); }, ErrorKind::InvalidInput);
  EXPECT_NE(msg.find("tensor 'short'"), std::string::npos) << msg;
  TensorProto d;
  d.set_name("dbl");
  d.set_data_type(TensorProto::DOUBLE);
  d.add_double_data(1.0);
  msg = error_of([&] { read_tensor_proto_file(write_proto(dir, "d.pb", d)); }, ErrorKind::Unsupported);
  EXPECT_NE(msg.find("DOUBLE"), std::string::npos) << msg;
  TensorProto neg = float_tensor("neg", {-1}, {});
  error_of([&] { read_tensor_proto_file(write_proto(dir, "neg.pb", neg)); }, ErrorKind::InvalidInput);
  const std::string junk = dir.file("junk.pb");
  write_bytes(junk, std::string("\xff\xff\xff\xff\x0f", 5));
  msg = error_of([&] { read_tensor_proto_file(junk); }, ErrorKind::InvalidInput);
  EXPECT_NE(msg.find(junk), std::string::npos) << msg;
}

TEST(OnnxTensorProto, ProtoRoundTripKeepsEveryDtype) {
  std::vector<Tensor> ts = {
      Tensor::from_vector<float>({2}, {1.5f, -0.0f}), Tensor::from_vector<int8_t>({2}, {-3, 4}),
      Tensor::from_vector<uint8_t>({1, 1}, {200}),    Tensor::from_vector<int32_t>({}, {-9}),
      Tensor::from_vector<int64_t>({0}, {}),          Tensor::from_vector<bool>({2}, {true, false})};
  for (const Tensor& t : ts) {
    Tensor back = tensor_from_proto(tensor_to_proto(t, "t"), "t");
    EXPECT_TRUE(back.equals(t)) << dtype_name(t.dtype());
  }
}

}  // namespace
}  // namespace etch::onnx
