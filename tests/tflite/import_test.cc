// The .tflite fixtures (scripts/make_tflite_fixtures.py) imported by etch and
// run by etch's interpreter, against the outputs TFLite's own runtime gave
// for the same inputs (bench/tflite_run.mjs), committed beside them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "etch/data/npy.h"
#include "etch/quant/lower_qdq.h"
#include "etch/runtime/interpreter.h"
#include "etch/tflite/importer.h"
#include "quant/quant_test_models.h"

namespace etch::tflite {
namespace {

using quant::testing::count_ops;

std::string fixture(const std::string& file) {
  std::string path = ETCH_SOURCE_DIR "/fixtures/tflite/";  // appended: see tests/rtl/rtl_test_util.h
  return path += file;
}

// Max |etch - TFLite| per output, each checked against tol · max(1, range of
// the expected output).
void expect_matches(const ir::Graph& g, const std::string& name, double tol) {
  runtime::Interpreter interp(g);
  const std::vector<Tensor> outs = interp.run({data::read_npy(fixture(name + ".input0.npy"))});
  ASSERT_EQ(outs.size(), g.outputs.size());
  for (size_t i = 0; i < outs.size(); ++i) {
    const Tensor want = data::read_npy(fixture(name + ".expected" + std::to_string(i) + ".npy"));
    ASSERT_EQ(outs[i].shape(), want.shape()) << name << " output " << i;
    const auto got = outs[i].to_float_vector(), exp = want.to_float_vector();
    double lo = 0, hi = 0, worst = 0;
    for (size_t k = 0; k < exp.size(); ++k) {
      lo = std::min<double>(lo, exp[k]);
      hi = std::max<double>(hi, exp[k]);
      worst = std::max<double>(worst, std::fabs(got[k] - exp[k]));
    }
    EXPECT_LE(worst, tol * std::max(1.0, hi - lo)) << name << " output " << i << " (range " << hi - lo << ")";
  }
}

class FloatFixture : public testing::TestWithParam<const char*> {};

TEST_P(FloatFixture, MatchesTfliteRuntime) {
  const ir::Graph g = import_model(fixture(std::string(GetParam()) + ".tflite"));
  expect_matches(g, GetParam(), 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FloatFixture,
                         testing::Values("conv", "fc", "pool", "resize", "elementwise", "shape", "fp16", "sparse",
                                         "misc", "tconv", "tconv_valid", "tconv_custom"));

TEST(TfliteImport, KeepsTfliteShapesAtInputsAndOutputs) {
  const ir::Graph g = import_model(fixture("conv.tflite"));
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.value(g.inputs[0]).shape, (Shape{1, 7, 6, 3}));
  ASSERT_EQ(g.outputs.size(), 2u);
  EXPECT_EQ(g.value(g.outputs[0]).shape, (Shape{1, 3, 2, 2}));
  EXPECT_EQ(g.value(g.outputs[0]).name, "y4");
  EXPECT_EQ(g.value(g.outputs[1]).shape, (Shape{1, 4, 3, 8}));
}

TEST(TfliteImport, ConvChainStaysNchwWithOneTransposePerBoundary) {
  // Four convs in a row: one Transpose in, one per output back to NHWC.
  const ir::Graph g = import_model(fixture("conv.tflite"));
  EXPECT_EQ(count_ops(g, "Conv"), 4);
  EXPECT_EQ(count_ops(g, "Transpose"), 3);
  EXPECT_EQ(count_ops(g, "Relu"), 1);
  EXPECT_EQ(count_ops(g, "Clip"), 2);  // RELU6, RELU_N1_TO_1
  std::vector<int64_t> groups;
  for (const ir::Node& n : g.nodes())
    if (n.op_type == "Conv") groups.push_back(n.attr_int("group", 1));
  EXPECT_EQ(groups, (std::vector<int64_t>{1, 4, 2, 1}));  // depthwise: one group per input channel
}

TEST(TfliteImport, Fp16WeightsBecomeFloatConstants) {
  const ir::Graph g = import_model(fixture("fp16.tflite"));
  EXPECT_EQ(count_ops(g, "DequantizeLinear"), 0);
  EXPECT_EQ(count_ops(g, "Conv"), 1);
}

TEST(TfliteImport, SparseWeightsAreDensified) {
  const ir::Graph g = import_model(fixture("sparse.tflite"));
  EXPECT_EQ(count_ops(g, "Gemm"), 2);
  for (const ir::Node& n : g.nodes())
    if (n.op_type == "Gemm") {
      EXPECT_TRUE(g.value(n.inputs[1]).is_constant());
    }
}

TEST(TfliteImport, Int8ModelIsQdqWithTflitesParameters) {
  const ir::Graph g = import_model(fixture("int8.tflite"));
  // QUANTIZE, conv output, pool output: one QuantizeLinear each; weights and
  // bias keep their integer constants behind DequantizeLinear.
  EXPECT_EQ(count_ops(g, "QuantizeLinear"), 3);
  bool per_channel_weight = false;
  for (const ir::Node& n : g.nodes()) {
    if (n.op_type != "DequantizeLinear") continue;
    const ir::Value& q = g.value(n.inputs[0]);
    if (q.is_constant() && q.dtype == DType::I8) {
      per_channel_weight = true;
      EXPECT_EQ(n.attr_int("axis", -1), 0);
      EXPECT_EQ(q.shape, (Shape{4, 3, 3, 3}));  // OIHW
      EXPECT_EQ(g.value(n.inputs[1]).data->to_float_vector(), (std::vector<float>{0.004f, 0.006f, 0.005f, 0.003f}));
    }
  }
  EXPECT_TRUE(per_channel_weight);
  // Within one output step (0.03) of TFLite's integer kernels.
  expect_matches(g, "int8", 0.03 + 1e-6);
}

TEST(TfliteImport, Int8ModelLowersToEtchIntegerOps) {
  const ir::Graph g = import_model(fixture("int8.tflite"));
  const ir::Graph lowered = quant::lower_qdq(g);
  EXPECT_GE(quant::count_integer_ops(lowered), 1);
  EXPECT_EQ(count_ops(lowered, "Conv"), 0);
  expect_matches(lowered, "int8", 0.03 + 1e-6);
}

}  // namespace
}  // namespace etch::tflite
