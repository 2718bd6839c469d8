// int8 .tflite export (src/etch/tflite/exporter.h): a PTQ-quantized model
// written as .tflite and read back by etch's own TFLite importer computes the
// same integers as the integer graph it was exported from; graphs with nodes
// the exporter cannot write are refused all at once and nothing is written.
#include <gtest/gtest.h>

#include <filesystem>

#include "etch/core/error.h"
#include "etch/quant/lower_qdq.h"
#include "etch/tflite/exporter.h"
#include "etch/tflite/importer.h"
#include "etch/tflite/model_reader.h"
#include "quant/quant_test_models.h"

namespace etch::tflite {
namespace {

using quant::testing::blobs;
using quant::testing::count_ops;

// small_net (conv+BN+ReLU, max pool, residual add, depthwise conv + ReLU6,
// global average pool, fully connected) with a HardSwish before the pool.
ir::Graph net_with_hardswish() {
  ir::GraphBuilder b("small_hs", 11);
  auto x = b.input("input", {-1, 1, 8, 8});
  x = b.normalize(x, {0.5f}, {0.25f});
  auto y = b.relu(b.conv(x, 6, 3, 1, 1, 1, true, "conv1"));
  y = b.maxpool(y, 2, 2);
  auto z = b.relu(b.conv(y, 6, 3, 1, 1, 1, true, "conv2"));
  z = b.relu(b.add(z, y));
  z = b.hardswish(b.relu6(b.conv(z, 6, 3, 1, 1, 6, true, "dw")));
  b.output(b.gemm(b.flatten(b.global_avgpool(z)), 5, "fc"), "logits");
  return b.finish();
}

struct Exported {
  ir::Graph integer;
  ExportResult result;
};

Exported export_quantized(const ir::Graph& float_graph, int64_t batch) {
  const ir::Graph qdq = quant::quantize_ptq(float_graph, blobs(64), {});
  Exported e{quant::lower_qdq(qdq), {}};
  ExportOptions o;
  o.batch = batch;
  o.activation_params = qdq_activation_params(qdq);
  e.result = export_tflite(e.integer, o);
  return e;
}

Tensor first_images(int64_t n) {
  const data::Dataset d = blobs(n, 99);
  return d.images;
}

class ExportRoundTrip : public testing::TestWithParam<int> {};

TEST_P(ExportRoundTrip, ReimportedModelGivesTheSourceIntegers) {
  const ir::Graph f = GetParam() == 0 ? quant::testing::small_net() : net_with_hardswish();
  const Exported e = export_quantized(f, 16);
  EXPECT_GE(quant::count_integer_ops(e.integer), 6);
  EXPECT_EQ(e.result.multipliers_differing, 0) << (e.result.notes.empty() ? "" : e.result.notes[0]);
  EXPECT_EQ(e.result.op_counts.count("DEPTHWISE_CONV_2D"), 1u);
  EXPECT_EQ(e.result.op_counts.at("CONV_2D"), 2);
  EXPECT_EQ(e.result.op_counts.at("FULLY_CONNECTED"), 1);
  EXPECT_EQ(e.result.op_counts.at("ADD"), 1);
  EXPECT_EQ(e.result.op_counts.at("QUANTIZE"), 1);
  EXPECT_EQ(e.result.op_counts.at("DEQUANTIZE"), 1);
  if (GetParam() == 1) {
    EXPECT_EQ(e.result.op_counts.at("HARD_SWISH"), 1);
  }

  // Every activation of the file is int8 between QUANTIZE and DEQUANTIZE.
  const ModelReader reader(e.result.bytes, "export.tflite");
  int int8 = 0;
  for (const TensorInfo& t : reader.tensors()) {
    if (t.dtype != DType::I8 || t.data) continue;
    ++int8;
    ASSERT_TRUE(t.quant.has_value()) << t.name;
    EXPECT_EQ(t.quant->scales.size(), 1u) << t.name;
  }
  EXPECT_GE(int8, 8);

  const ir::Graph back = quant::lower_qdq(import_model_bytes(e.result.bytes, "export.tflite"));
  EXPECT_EQ(quant::count_integer_ops(back), quant::count_integer_ops(e.integer) + 0);
  const Tensor x = first_images(16);
  const Tensor want = quant::testing::run(e.integer, x);
  const Tensor got = quant::testing::run(back, x);
  ASSERT_EQ(got.shape(), want.shape());
  const auto a = got.to_float_vector(), b = want.to_float_vector();
  int differ = 0;
  for (size_t i = 0; i < a.size(); ++i) differ += a[i] != b[i];
  EXPECT_EQ(differ, 0) << "of " << a.size() << " outputs";
}

INSTANTIATE_TEST_SUITE_P(Nets, ExportRoundTrip, testing::Values(0, 1));

TEST(TfliteExport, RefusesEveryUnwritableNodeAtOnceAndWritesNothing) {
  // A float graph: its Conv and Sigmoid have no int8 TFLite form.
  ir::GraphBuilder b("float", 3);
  auto x = b.input("input", {1, 1, 8, 8});
  b.output(b.op("Sigmoid", {b.conv(x, 2, 3, 1, 1, 1, true, "conv_f")}), "y");
  const ir::Graph g = b.finish();
  const std::string path = (std::filesystem::temp_directory_path() / "etch_export_refused.tflite").string();
  std::filesystem::remove(path);
  try {
    write_tflite(g, path);
    FAIL() << "expected Unsupported";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
    const std::string m = e.what();
    EXPECT_NE(m.find("2 node(s) cannot be written"), std::string::npos) << m;
    EXPECT_NE(m.find("'conv_f' (Conv)"), std::string::npos) << m;
    EXPECT_NE(m.find("(Sigmoid)"), std::string::npos) << m;
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(TfliteExport, ExactLookupTablesGatherFromEtchsTable) {
  const ir::Graph qdq = quant::quantize_ptq(net_with_hardswish(), blobs(64), {});
  const ir::Graph integer = quant::lower_qdq(qdq);
  ExportOptions o;
  o.activation_params = qdq_activation_params(qdq);
  o.exact_lookup_tables = true;
  const ExportResult r = export_tflite(integer, o);
  EXPECT_EQ(r.op_counts.count("HARD_SWISH"), 0u);
  EXPECT_EQ(r.op_counts.at("GATHER"), 1);
  EXPECT_EQ(r.op_counts.at("CAST"), 1);
  // The gathered table is etch's: the QLut's 256 int8 values, on the output's grid.
  const ir::Node* lut = nullptr;
  for (const ir::Node& n : integer.nodes())
    if (n.op_type == "QLut") lut = &n;
  ASSERT_NE(lut, nullptr);
  const Tensor& want = *integer.value(lut->inputs[1]).data;
  const ModelReader reader(r.bytes, "lut.tflite");
  bool found = false;
  for (const TensorInfo& t : reader.tensors()) {
    if (!t.data || t.dtype != DType::I8 || t.data->numel() != 256) continue;
    found = std::equal(want.data<int8_t>(), want.data<int8_t>() + 256, t.data->data<int8_t>());
    EXPECT_TRUE(t.quant.has_value());
  }
  EXPECT_TRUE(found);
}

// Concats on int8: a constant input is written on the output's grid and the
// table rescaling an input onto it becomes an int8 -> int8 QUANTIZE to the
// grid the lowering gave it (the QDQ graph has no tensor of that name).
TEST(TfliteExport, Int8ConcatsWithConstantsAndRescalingTablesRoundTrip) {
  const ir::Graph qdq = quant::quantize_ptq(quant::testing::concat_net(), blobs(64), {});
  const ir::Graph integer = quant::lower_qdq(qdq);
  ASSERT_EQ(count_ops(integer, "QLut"), 1);
  ExportOptions o;
  o.activation_params = qdq_activation_params(qdq);
  const ExportResult r = export_tflite(integer, o);
  EXPECT_EQ(r.op_counts.at("CONCATENATION"), 2);
  EXPECT_EQ(r.op_counts.at("QUANTIZE"), 2) << "the model's input and the rescaling";
  const ir::Graph back = quant::lower_qdq(import_model_bytes(r.bytes, "concat.tflite"));
  const data::Dataset d = blobs(8, 99);
  for (int64_t s = 0; s < 8; ++s) {
    const Tensor x = data::slice_images(d, s, s + 1);
    EXPECT_TRUE(quant::testing::run(back, x).equals(quant::testing::run(integer, x))) << "sample " << s;
  }
}

TEST(TfliteExport, RefusesABatchBelowOne) {
  const Exported e = export_quantized(quant::testing::small_net(), 1);
  ExportOptions o;
  o.batch = 0;
  EXPECT_THROW(export_tflite(e.integer, o), Error);
}

}  // namespace
}  // namespace etch::tflite
