// Malformed .tflite input: each must fail with InvalidInput (or Unsupported
// for ops etch lacks) in one message naming the file and the tensor or
// operator. Models are built here with the generated FlatBuffers builder: a
// 1x1 CONV_2D whose knobs break one thing each.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "etch/core/atomic_file.h"
#include "etch/tflite/importer.h"
#include "etch/tflite/tflite_schema_generated.h"

namespace etch::tflite {
namespace {

namespace f = etch::tflite::fb;

struct Knobs {
  int32_t opcode = f::BuiltinOperator_CONV_2D;
  std::string custom;
  uint32_t weight_floats = 2;    // the weight [2,1,1,1] needs 2
  uint64_t weight_offset = 0;    // > 1: data outside the flatbuffer, at this offset
  uint32_t weight_buffer = 1;    // index into buffers
  int32_t input_tensor = 0;      // the operator's first input
  int64_t called_subgraph = -1;  // >= 0: the operator carries CallOptions
  uint32_t opcode_index = 0;
  bool extra_unsupported = false;       // a second operator, GATHER, after the first
  bool sparse_without_indices = false;  // the weight is sparse, its index vectors typed but absent
  int64_t x_int8_zero_point = -1000;    // > -1000: x is an int8 tensor with this zero point
  bool sparse_huge = false;             // the weight is sparse (all levels dense) and declares 2^30 floats
  bool sparse_empty = false;            // the weight is sparse, [0,2^20,2^20,1] traversed dims 1, 2, 0, 3: no element
};

std::string build(const Knobs& k) {
  flatbuffers::FlatBufferBuilder b;
  std::vector<flatbuffers::Offset<f::Buffer>> buffers{f::CreateBuffer(b)};
  if (k.weight_offset > 1) {
    buffers.push_back(f::CreateBuffer(b, 0, k.weight_offset, 8));
  } else {
    const std::vector<float> w(k.weight_floats, 0.5f);
    auto data = b.CreateVector(reinterpret_cast<const uint8_t*>(w.data()), w.size() * 4);
    buffers.push_back(f::CreateBuffer(b, data));
  }
  const std::vector<int32_t> xs{1, 2, 2, 1}, ys{1, 2, 2, 2};
  const std::vector<int32_t> ws = k.sparse_huge    ? std::vector<int32_t>{1 << 15, 1 << 15, 1, 1}
                                  : k.sparse_empty ? std::vector<int32_t>{0, 1 << 20, 1 << 20, 1}
                                                   : std::vector{2, 1, 1, 1};
  const std::vector<float> one{1.0f};
  const std::vector<int64_t> x_zp{k.x_int8_zero_point};
  const auto x_quant = f::CreateQuantizationParametersDirect(b, nullptr, nullptr, &one, &x_zp);
  flatbuffers::Offset<f::SparsityParameters> sparsity = 0;
  if (k.sparse_huge || k.sparse_empty) {
    const std::vector<int32_t> order = k.sparse_empty ? std::vector{1, 2, 0, 3} : std::vector{0, 1, 2, 3};
    std::vector<flatbuffers::Offset<f::DimensionMetadata>> dims;
    for (int32_t d : order) dims.push_back(f::CreateDimensionMetadata(b, f::DimensionType_DENSE, ws[d]));
    sparsity = f::CreateSparsityParametersDirect(b, &order, nullptr, &dims);
  }
  if (k.sparse_without_indices) {
    const std::vector<int32_t> order{0, 1, 2, 3};
    std::vector<flatbuffers::Offset<f::DimensionMetadata>> dims;
    for (int d = 0; d < 4; ++d)
      dims.push_back(d == 0 ? f::CreateDimensionMetadata(b, f::DimensionType_DENSE, 2)
                            : f::CreateDimensionMetadata(b, f::DimensionType_SPARSE_CSR, 0,
                                                         f::SparseIndexVector_Int32Vector, 0,
                                                         f::SparseIndexVector_Int32Vector, 0));
    sparsity = f::CreateSparsityParametersDirect(b, &order, nullptr, &dims);
  }
  std::vector<flatbuffers::Offset<f::Tensor>> tensors{
      k.x_int8_zero_point > -1000 ? f::CreateTensorDirect(b, &xs, f::TensorType_INT8, 0, "x", x_quant)
                                  : f::CreateTensorDirect(b, &xs, f::TensorType_FLOAT32, 0, "x"),
      f::CreateTensorDirect(b, &ws, f::TensorType_FLOAT32, k.weight_buffer, "weight", 0, false, sparsity),
      f::CreateTensorDirect(b, &ys, f::TensorType_FLOAT32, 0, "y"),
      f::CreateTensorDirect(b, &ys, f::TensorType_FLOAT32, 0, "z")};
  std::vector<flatbuffers::Offset<f::OperatorCode>> codes{f::CreateOperatorCodeDirect(
      b, static_cast<int8_t>(std::min(k.opcode, 127)), k.custom.empty() ? nullptr : k.custom.c_str(), 1,
      static_cast<f::BuiltinOperator>(k.opcode))};
  codes.push_back(f::CreateOperatorCode(b, f::BuiltinOperator_GATHER, 0, 1, f::BuiltinOperator_GATHER));
  const std::vector<int32_t> ins{k.input_tensor, 1, -1}, outs{2}, ins2{2, 0}, outs2{3};
  flatbuffers::Offset<void> options;
  f::BuiltinOptions options_type = f::BuiltinOptions_Conv2DOptions;
  if (k.called_subgraph >= 0) {
    options = f::CreateCallOptions(b, static_cast<uint32_t>(k.called_subgraph)).Union();
    options_type = f::BuiltinOptions_CallOptions;
  } else {
    options = f::CreateConv2DOptions(b, f::Padding_VALID, 1, 1).Union();
  }
  std::vector<flatbuffers::Offset<f::Operator>> ops{
      f::CreateOperatorDirect(b, k.opcode_index, &ins, &outs, options_type, options)};
  if (k.extra_unsupported) ops.push_back(f::CreateOperatorDirect(b, 1, &ins2, &outs2));
  const std::vector<int32_t> graph_in{0}, graph_out{k.extra_unsupported ? 3 : 2};
  auto sg = f::CreateSubGraphDirect(b, &tensors, &graph_in, &graph_out, &ops, "main");
  std::vector<flatbuffers::Offset<f::SubGraph>> sgs{sg};
  auto model = f::CreateModelDirect(b, 3, &codes, &sgs, "test", &buffers);
  f::FinishModelBuffer(b, model);
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

std::string build_with(void (*change)(Knobs&)) {
  Knobs k;
  change(k);
  return build(k);
}

// The import fails with `kind`, and the message names the label and holds
// every one of `parts`.
void expect_error(const std::string& bytes, ErrorKind kind, const std::vector<std::string>& parts) {
  try {
    import_model_bytes(bytes, "model.tflite");
    FAIL() << "import succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind("model.tflite: ", 0), 0u) << msg;
    for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

// A fuzzer's find, kept as it was found in tests/tflite/data/.
void expect_found_input_refused(const std::string& file, const std::vector<std::string>& parts) {
  const std::string path = std::string(ETCH_SOURCE_DIR) + "/tests/tflite/data/" + file;
  try {
    import_model(path);
    FAIL() << "import succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput) << e.what();
    const std::string msg = e.what();
    for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
  }
}

TEST(TfliteErrors, TheBuilderModelItselfImports) {
  const ir::Graph g = import_model_bytes(build({}), "model.tflite");
  EXPECT_EQ(g.outputs.size(), 1u);
}

TEST(TfliteErrors, TruncatedFile) {
  const std::string good = build({});
  for (size_t len : {good.size() / 2, good.size() - 9, size_t{12}})
    expect_error(good.substr(0, len), ErrorKind::InvalidInput, {"verifier rejected"});
  expect_error(good.substr(0, 6), ErrorKind::InvalidInput, {"TFL3"});
}

TEST(TfliteErrors, RandomBytes) {
  std::mt19937 rng(19);
  for (int trial = 0; trial < 50; ++trial) {
    std::string bytes(64 + trial * 7, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    expect_error(bytes, ErrorKind::InvalidInput, {"TFL3"});
    bytes.replace(4, 4, "TFL3");  // past the identifier check, into the verifier
    expect_error(bytes, ErrorKind::InvalidInput, {});
  }
}

TEST(TfliteErrors, BufferOffsetPastTheEnd) {
  expect_error(build_with([](Knobs& k) { k.weight_offset = 1u << 20; }), ErrorKind::InvalidInput,
               {"buffer 1", "past the end of the file"});
}

TEST(TfliteErrors, ShapeAndBufferSizeDisagree) {
  expect_error(build_with([](Knobs& k) { k.weight_floats = 3; }), ErrorKind::InvalidInput,
               {"tensor 1 'weight'", "[2,1,1,1]", "8 bytes", "holds 12 bytes"});
}

TEST(TfliteErrors, BufferIndexOutOfRange) {
  expect_error(build_with([](Knobs& k) { k.weight_buffer = 7; }), ErrorKind::InvalidInput,
               {"tensor 1 'weight'", "buffer 7"});
}

TEST(TfliteErrors, TensorIndexOutOfRange) {
  expect_error(build_with([](Knobs& k) { k.input_tensor = 9; }), ErrorKind::InvalidInput,
               {"operator #0 (CONV_2D (code 3))", "tensor 9"});
}

TEST(TfliteErrors, OperatorCodeIndexOutOfRange) {
  expect_error(build_with([](Knobs& k) { k.opcode_index = 5; }), ErrorKind::InvalidInput,
               {"operator #0", "operator code index 5"});
}

TEST(TfliteErrors, UnknownOperatorCode) {
  expect_error(build_with([](Knobs& k) { k.opcode = 300; }), ErrorKind::Unsupported,
               {"operator #0 (unknown operator (code 300))"});
}

TEST(TfliteErrors, SubgraphIndexOutOfRange) {
  expect_error(build_with([](Knobs& k) {
                 k.opcode = f::BuiltinOperator_CALL;
                 k.called_subgraph = 4;
               }),
               ErrorKind::InvalidInput, {"operator #0 (CALL (code 31))", "subgraph 4", "1 subgraphs"});
}

TEST(TfliteErrors, SparseIndexVectorTypedButAbsent) {
  // Found by fuzz/tflite_import_fuzz.cc: read through a null table before.
  expect_error(build_with([](Knobs& k) { k.sparse_without_indices = true; }), ErrorKind::InvalidInput,
               {"'weight'", "index vector is missing"});
}

TEST(TfliteErrors, SparseTensorDeclaringGigabytesIsRefusedBeforeAllocating) {
  // Found by fuzz/tflite_import_fuzz.cc: a 1 kB file asked for 17 GB. 4 GiB here:
  // under the machine-wide tensor limit, over the one for densified tensors.
  expect_error(build_with([](Knobs& k) { k.sparse_huge = true; }), ErrorKind::InvalidInput,
               {"'weight'", "[32768,32768,1,1]", "1024 MiB"});
}

TEST(TfliteErrors, SparseTensorWithoutElementsIsNotWalked) {
  // Dense levels of 2^20 x 2^20 traversed above one of size 0: the index walk visited
  // 2^40 positions to place nothing (a hang). The empty weight is now taken
  // as it is and the convolution refuses it (its 2^20 x 2^20 window).
  expect_error(build_with([](Knobs& k) { k.sparse_empty = true; }), ErrorKind::InvalidInput,
               {"y/Conv_node", "spatial dim 0 of size 2"});
}

TEST(TfliteErrors, ZeroPointOutsideTheTensorsType) {
  // Found by fuzz/tflite_import_fuzz.cc: 200 passed a check made for int8 and
  // uint8 alike, and overflowed when converted to int8.
  expect_error(build_with([](Knobs& k) { k.x_int8_zero_point = 200; }), ErrorKind::InvalidInput,
               {"'x'", "zero point 200"});
}

TEST(TfliteErrors, ConcatenationOfRank4AndRank1ConstantIsNamed) {
  // The input fuzz/tflite_import_fuzz.cc found (kept as it was found): a
  // CONCATENATION computed in NCHW whose constant input has rank 1 raised an
  // internal error before.
  expect_found_input_refused("fuzz_concat_rank1_constant.tflite", {"CONCATENATION", "has rank 1 where"});
}

TEST(TfliteErrors, MisalignedInt64ZeroPointIsReadWithoutUndefinedBehaviour) {
  // The fuzzer's fifth find (kept as it was found): tensor 'w' has its int64
  // zero-point vector at an address that is 4- but not 8-aligned, which the
  // FlatBuffers verifier accepts. Reading it by dereference was a misaligned
  // load (UBSan aborts the sanitizer build here without the fix); read by copy,
  // its value is out of range and is refused by name.
  expect_found_input_refused("fuzz_misaligned_int64_zero_point.tflite", {"tensor 2 'w' has zero point 12884901892"});
}

TEST(TfliteErrors, SparseTensorWithBadSegmentsIsRefusedBeforeItIsDensified) {
  // The fuzzer's seventh find (a timeout, kept as found): a 1 kB file whose
  // sparse tensor declares a dense size near the 1 GiB limit and has segments
  // out of order. The 1 GiB tensor was allocated and zeroed before the walk
  // found the bad segment (2.4 s in Release, over 10 s under the sanitizers);
  // the index structure is now checked first (35 ms). This pins the refusal;
  // the time is not asserted (tests never assert on time).
  expect_found_input_refused("fuzz_sparse_bad_segments_1gib.tflite",
                             {"'w_sparse': sparse level 1 has segments out of order"});
}

TEST(TfliteErrors, SparseTensorOfMostlyZerosIsRefusedBeforeItIsDensified) {
  // A fuzzer's slow unit (kept as found): 1,168 bytes whose tensor 'w2_sparse'
  // declares [4,67108864] floats, exactly the 1 GiB limit, around 8 stored
  // values. The tensor was allocated and zeroed (7 s, 1 GB in Release) before
  // a shape check on operator #0 refused the file.
  expect_found_input_refused("fuzz_sparse_1gib_of_zeros.tflite",
                             {"'w2_sparse'", "[4,67108864]", "268435456 elements for 8 stored values", "4096-fold"});
}

TEST(TfliteErrors, UnsupportedOpsAreListedAllAtOnce) {
  expect_error(build_with([](Knobs& k) {
                 k.opcode = f::BuiltinOperator_CUSTOM;
                 k.custom = "MyOp";
                 k.extra_unsupported = true;
               }),
               ErrorKind::Unsupported,
               {"2 operator(s)", "operator #0 (CUSTOM 'MyOp' (code 32))", "operator #1 (GATHER (code 36))"});
}

// The CLI reads .tflite through the same loader as .onnx; bad input exits 2.
TEST(TfliteCli, InspectReadsTfliteAndRejectsBadFiles) {
  const std::string etch = ETCH_BINARY;
  const std::string good = std::string(ETCH_SOURCE_DIR) + "/fixtures/tflite/conv.tflite";
  EXPECT_EQ(std::system((etch + " inspect " + good + " > /dev/null 2>&1").c_str()), 0);
  const auto dir = std::filesystem::temp_directory_path() / ("etch_tflite_cli_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string bad = (dir / "bad.tflite").string();
  write_file_atomic(bad, build_with([](Knobs& k) { k.weight_floats = 3; }));
  const int rc = std::system((etch + " inspect " + bad + " > /dev/null 2>&1").c_str());
  EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 2) << rc;
  // An int8 .tflite compiles to an NPU program as it is (QDQ lowered, no re-quantization).
  const std::string npu = (dir / "int8.npu").string();
  const std::string int8 = std::string(ETCH_SOURCE_DIR) + "/fixtures/tflite/int8.tflite";
  EXPECT_EQ(std::system((etch + " compile " + int8 + " -o " + npu + " > /dev/null 2>&1").c_str()), 0);
  EXPECT_TRUE(std::filesystem::is_regular_file(npu));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace etch::tflite
