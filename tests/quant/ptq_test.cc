// PTQ end to end on a small model: the QDQ graph (what ONNX Runtime runs), its
// lowering to etch's integer ops, and agreement of the three (float, QDQ,
// integer) on synthetic images.
#include "etch/quant/ptq.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "etch/core/int4.h"
#include "etch/ir/builder.h"
#include "etch/onnx/exporter.h"
#include "etch/onnx/importer.h"
#include "etch/quant/lower_qdq.h"
#include "etch/runtime/interpreter.h"
#include "quant/quant_test_models.h"

namespace etch::quant {
namespace {

using testing::blobs;
using testing::count_ops;
using testing::max_abs;
using testing::max_abs_diff;
using testing::run;
using testing::small_net;
using testing::small_options;

TEST(Ptq, QdqGraphHasQuantizedWeightsAndActivationsAndMatchesFloat) {
  const ir::Graph f = small_net();
  const data::Dataset d = blobs(64);
  const ir::Graph q = quantize_ptq(f, d, small_options());
  EXPECT_TRUE(is_quantized(q));
  EXPECT_FALSE(is_quantized(f));
  EXPECT_EQ(count_ops(q, "BatchNormalization"), 0) << "BN folded before quantization";
  // 4 weighted layers: weight DQ each, bias DQ each (conv1 gains one from BN).
  int int8_weights = 0, int32_biases = 0;
  for (const auto& n : q.nodes()) {
    if (n.op_type != "DequantizeLinear") continue;
    const ir::Value& src = q.value(n.inputs[0]);
    if (src.data && src.dtype == DType::I8) ++int8_weights;
    if (src.data && src.dtype == DType::I32) ++int32_biases;
  }
  EXPECT_EQ(int8_weights, 4);
  EXPECT_EQ(int32_biases, 0) << "biases stay float by default";
  // The fused Relu/Relu6 are redundant before their QuantizeLinear (zero point
  // -128, range inside [0, 6]): dropped, Q reads the Conv/Add directly.
  EXPECT_EQ(count_ops(q, "Relu") + count_ops(q, "Clip"), 0);
  EXPECT_EQ(q.value(q.outputs[0]).name, "logits");
  const Tensor x = data::slice_images(d, 0, 16);
  const Tensor yf = run(f, x), yq = run(q, x);
  EXPECT_LT(max_abs_diff(yf, yq), 0.1f * max_abs(yf)) << "int8 QDQ close to float";
  EXPECT_GT(max_abs_diff(yf, yq), 0.0f) << "but not identical: quantization happened";
}

TEST(Ptq, LoweringGivesIntegerOpsAgreeingWithQdq) {
  const ir::Graph f = small_net();
  const data::Dataset d = blobs(64);
  for (Calibration c :
       {Calibration::MinMax, Calibration::Entropy, Calibration::Percentile, Calibration::Mse, Calibration::Ema}) {
    SCOPED_TRACE(calibration_name(c));
    const ir::Graph q = quantize_ptq(f, d, small_options(c));
    const ir::Graph i = lower_qdq(q);
    EXPECT_EQ(count_ops(i, "QConv"), 3);
    EXPECT_EQ(count_ops(i, "QGemm"), 1);
    EXPECT_EQ(count_ops(i, "QAdd"), 1);
    EXPECT_EQ(count_ops(i, "QAveragePool"), 1);
    EXPECT_EQ(count_ops(i, "Conv") + count_ops(i, "Gemm") + count_ops(i, "Relu") + count_ops(i, "Clip"), 0);
    EXPECT_EQ(count_ops(i, "QuantizeLinear"), 1) << "float enters once";
    EXPECT_EQ(count_ops(i, "DequantizeLinear"), 1) << "and leaves once";
    for (const auto& n : i.nodes())
      if (n.op_type == "MaxPool" || n.op_type == "Flatten") {
        EXPECT_EQ(i.value(n.inputs[0]).dtype, DType::I8);
      }
    // The relu6 after the depthwise conv was redundant (dropped from the QDQ
    // graph): QConv 'dw' clamps to the whole int8 range, which is what Q(0) and
    // Q(6) gave before (redundant_activation_test.cc).
    const ir::Node* dw = i.find_node_by_name("dw");
    ASSERT_NE(dw, nullptr);
    EXPECT_EQ(dw->attr_string("activation", ""), "none");
    EXPECT_EQ(dw->attr_int("act_min", 0), -128);
    EXPECT_EQ(dw->attr_int("act_max", 0), 127);
    const Tensor x = data::slice_images(d, 0, 32);
    const Tensor yq = run(q, x), yi = run(i, x);
    // Output scale: the logits' DequantizeLinear.
    float sy = 0;
    for (const auto& n : i.nodes())
      if (n.op_type == "DequantizeLinear") sy = i.value(n.inputs[1]).data->to_float_vector()[0];
    ASSERT_GT(sy, 0.0f);
    // Integer rounding (half away, fixed-point) vs float QDQ (half even) may
    // differ by a step here and there, never by much.
    EXPECT_LE(max_abs_diff(yq, yi), 3.0f * sy + 1e-6f);
  }
}

TEST(Ptq, IsDeterministic) {
  const ir::Graph f = small_net();
  const data::Dataset d = blobs(80);
  PtqOptions o = small_options(Calibration::Entropy);
  o.calib_samples = 48;  // a seeded draw from 80 images
  const std::string a = onnx::export_model_bytes(quantize_ptq(f, d, o));
  const std::string b = onnx::export_model_bytes(quantize_ptq(f, d, o));
  EXPECT_EQ(a, b);
  o.seed = 2;
  EXPECT_NE(a, onnx::export_model_bytes(quantize_ptq(f, d, o))) << "another draw of calibration images";
}

TEST(Ptq, ExportImportRoundTripLowersToTheSameIntegerGraph) {
  const ir::Graph f = small_net();
  const data::Dataset d = blobs(64);
  const ir::Graph q = quantize_ptq(f, d, small_options());
  const ir::Graph back = onnx::import_model_bytes(onnx::export_model_bytes(q), ".", "qdq");
  const Tensor x = data::slice_images(d, 0, 8);
  EXPECT_EQ(max_abs_diff(run(lower_qdq(q), x), run(lower_qdq(back), x)), 0.0f);
}

TEST(Ptq, KeepFloatFencesTheNode) {
  const ir::Graph f = small_net();
  const data::Dataset d = blobs(64);
  PtqOptions o = small_options();
  o.keep_float = {"conv2"};
  const ir::Graph i = lower_qdq(quantize_ptq(f, d, o));
  const ir::Node* conv2 = i.find_node_by_name("conv2");
  ASSERT_NE(conv2, nullptr);
  EXPECT_EQ(conv2->op_type, "Conv");
  EXPECT_EQ(i.value(conv2->inputs[0]).dtype, DType::F32) << "float in";
  EXPECT_EQ(i.value(conv2->outputs[0]).dtype, DType::F32) << "float out";
  EXPECT_EQ(count_ops(i, "QConv"), 2);
  const Tensor x = data::slice_images(d, 0, 8);
  EXPECT_LT(max_abs_diff(run(f, x), run(i, x)), 0.1f * max_abs(run(f, x)));
}

TEST(Ptq, Int4WeightsArePackedAndLowerToI4) {
  const ir::Graph f = small_net();
  const data::Dataset d = blobs(64);
  PtqOptions o = small_options();
  o.weight_bits = 4;
  o.bits_per_layer = {{"fc", 8}};
  const ir::Graph q = quantize_ptq(f, d, o);
  EXPECT_EQ(count_ops(q, "UnpackInt4"), 3);
  const ir::Graph i = lower_qdq(q);
  int i4 = 0, i8 = 0;
  for (const auto& n : i.nodes()) {
    if (n.op_type != "QConv" && n.op_type != "QGemm") continue;
    const Tensor& w = *i.value(n.inputs[1]).data;
    if (w.dtype() == DType::I4) {
      ++i4;
      const Tensor u = unpack_int4(w);
      for (int64_t k = 0; k < u.numel(); ++k) EXPECT_TRUE(u.data<int8_t>()[k] >= -7 && u.data<int8_t>()[k] <= 7);
    } else {
      ++i8;
    }
  }
  EXPECT_EQ(i4, 3);
  EXPECT_EQ(i8, 1);
  const Tensor x = data::slice_images(d, 0, 8);
  EXPECT_LT(max_abs_diff(run(f, x), run(i, x)), 0.5f * max_abs(run(f, x)));
  // Two weights per byte on disk: the packed initializer of conv2 (6·6·3·3).
  const ir::Node* conv2 = q.find_node_by_name("conv2");
  ASSERT_NE(conv2, nullptr);
  const ir::Node* dq = q.find_node(q.value(conv2->inputs[1]).producer);
  ASSERT_EQ(dq->op_type, "DequantizeLinear");
  const ir::Node* unpack = q.find_node(q.value(dq->inputs[0]).producer);
  ASSERT_NE(unpack, nullptr);
  EXPECT_EQ(unpack->op_type, "UnpackInt4");
  EXPECT_EQ(q.value(unpack->inputs[0]).data->nbytes(), 6u * 6 * 3 * 3 / 2);
  // The int8-container variant computes the same integers.
  o.int4_as_int8 = true;
  const ir::Graph q8 = quantize_ptq(f, d, o);
  EXPECT_EQ(count_ops(q8, "UnpackInt4"), 0);
  EXPECT_EQ(max_abs_diff(run(lower_qdq(q8), x), run(i, x)), 0.0f);
}

TEST(Ptq, BiasCorrectionShiftsBiases) {
  const ir::Graph f = small_net();
  const data::Dataset d = blobs(64);
  PtqOptions o = small_options();
  o.int32_bias = true;
  o.weight_bits = 4;  // large weight error, so the correction is visible
  const ir::Graph plain = quantize_ptq(f, d, o);
  o.bias_correction = true;
  const ir::Graph corrected = quantize_ptq(f, d, o);
  auto biases = [](const ir::Graph& g) {
    std::vector<int64_t> all;
    for (const auto& n : g.nodes())
      if (n.op_type == "DequantizeLinear" && g.value(n.inputs[0]).dtype == DType::I32)
        for (int64_t v : g.value(n.inputs[0]).data->to_int64_vector()) all.push_back(v);
    return all;
  };
  EXPECT_NE(biases(plain), biases(corrected));
  // Mean output error over the data drops.
  const Tensor x = data::slice_images(d, 0, 64);
  const Tensor yf = run(f, x);
  auto mean_err = [&](const ir::Graph& g) {
    const auto a = yf.to_float_vector(), b = run(g, x).to_float_vector();
    double s = 0;
    for (size_t k = 0; k < a.size(); ++k) s += a[k] - b[k];
    return std::fabs(s / static_cast<double>(a.size()));
  };
  EXPECT_LT(mean_err(corrected), mean_err(plain) + 1e-3);
}

TEST(Ptq, Int32BiasFileLowersToTheSameIntegers) {
  const ir::Graph f = small_net();
  const data::Dataset d = blobs(64);
  PtqOptions o = small_options();
  const ir::Graph a = lower_qdq(quantize_ptq(f, d, o));
  o.int32_bias = true;
  const ir::Graph q32 = quantize_ptq(f, d, o);
  int int32_biases = 0;
  for (const auto& n : q32.nodes())
    int32_biases += n.op_type == "DequantizeLinear" && q32.value(n.inputs[0]).dtype == DType::I32;
  EXPECT_EQ(int32_biases, 4);
  const ir::Graph b = lower_qdq(q32);
  for (const char* layer : {"conv1", "conv2", "dw", "fc"}) {
    const ir::Node *na = a.find_node_by_name(layer), *nb = b.find_node_by_name(layer);
    ASSERT_TRUE(na && nb) << layer;
    EXPECT_TRUE(a.value(na->inputs[2]).data->equals(*b.value(nb->inputs[2]).data)) << layer;
  }
}

TEST(Ptq, ElementwiseFunctionsBecomeLookupTables) {
  ir::GraphBuilder b("lut", 5);
  auto x = b.input("input", {-1, 1, 8, 8});
  auto y = b.hardswish(b.conv(x, 4, 3, 1, 1, 1, true, "c1"));
  y = b.op("Sigmoid", {b.conv(y, 4, 3, 1, 1, 1, true, "c2")}, {}, "sig");
  y = b.op("Tanh", {b.conv(y, 4, 3, 1, 1, 1, true, "c3")}, {}, "tanh");
  b.output(b.gemm(b.flatten(y), 3, "fc"), "logits");
  const ir::Graph f = b.finish();
  const data::Dataset d = blobs(64);
  const ir::Graph q = quantize_ptq(f, d, small_options());
  // Sigmoid output: fixed 1/256, -128 whatever the data.
  for (const auto& n : q.nodes())
    if (n.op_type == "QuantizeLinear" && q.value(n.inputs[0]).producer >= 0 &&
        q.find_node(q.value(n.inputs[0]).producer)->op_type == "Sigmoid") {
      EXPECT_FLOAT_EQ(q.value(n.inputs[1]).data->to_float_vector()[0], 1.0f / 256.0f);
      EXPECT_EQ(q.value(n.inputs[2]).data->to_int64_vector()[0], -128);
    }
  const ir::Graph i = lower_qdq(q);
  EXPECT_EQ(count_ops(i, "QLut"), 3);
  EXPECT_EQ(count_ops(i, "QConv"), 3);
  EXPECT_EQ(count_ops(i, "Sigmoid") + count_ops(i, "HardSwish") + count_ops(i, "Tanh"), 0);
  const Tensor xin = data::slice_images(d, 0, 16);
  const Tensor yf = run(f, xin), yq = run(q, xin), yi = run(i, xin);
  EXPECT_LT(max_abs_diff(yf, yi), 0.1f * max_abs(yf) + 1e-3f);
  EXPECT_LT(max_abs_diff(yq, yi), 0.05f * max_abs(yf) + 1e-3f);
}

TEST(Ptq, ParsesBitsPerLayer) {
  const auto m = parse_bits_per_layer("conv1=4, fc=8\n# comment\nconv2 = 4");
  EXPECT_EQ(m.size(), 3u);
  EXPECT_EQ(m.at("conv2"), 4);
  EXPECT_EQ(m.at("conv1"), 4);
  EXPECT_EQ(m.at("fc"), 8);
  EXPECT_THROW(parse_bits_per_layer("conv1=3"), Error);
  EXPECT_THROW(parse_bits_per_layer("conv1"), Error);
}

// M-LSD's peak picking: s = Sigmoid(x) stays float (nothing quantizes x),
// y = MaxPool3x3(s) * (MaxPool3x3(s) == s). The Mul quantizes the pooled value
// for itself, so the Equal compared a rounded tensor with an unrounded one,
// almost never equal: M-LSD's `scores` came out all zero (0.0 dB). Both sides
// of a comparison are now rounded to the same grid.
TEST(Ptq, ComparisonInputsAreRoundedAlike) {
  ir::GraphBuilder b("peaks", 5);
  auto x = b.input("input", {-1, 1, 8, 8});
  auto s = b.op("Sigmoid", {x});
  auto m = b.op("MaxPool", {s},
                {{"kernel_shape", std::vector<int64_t>{3, 3}},
                 {"pads", std::vector<int64_t>{1, 1, 1, 1}},
                 {"strides", std::vector<int64_t>{1, 1}}});
  auto mask = b.op("Cast", {b.op("Equal", {m, s})}, {{"to", int64_t{1}}});
  b.output(b.op("Mul", {m, mask}), "peaks");
  const ir::Graph f = b.finish();
  const data::Dataset d = blobs(64);
  const ir::Graph q = quantize_ptq(f, d, small_options());
  int compared = 0;
  for (const auto& n : q.nodes()) {
    if (n.op_type != "Equal") continue;
    std::vector<float> scales;
    for (ir::ValueId in : n.inputs) {
      const ir::Node* p = q.find_node(q.value(in).producer);
      ASSERT_TRUE(p && p->op_type == "DequantizeLinear") << "an Equal input is not rounded";
      scales.push_back(q.value(p->inputs[1]).data->to_float_vector()[0]);
      ++compared;
    }
    EXPECT_EQ(scales[0], scales[1]) << "both sides on the same grid";
  }
  EXPECT_EQ(compared, 2);
  const Tensor xs = data::slice_images(d, 0, 16);
  const Tensor yf = run(f, xs), yi = run(lower_qdq(q), xs);
  int64_t peaks_f = 0, found = 0;
  for (int64_t i = 0; i < yf.numel(); ++i) {
    if (yf.data<float>()[i] == 0) continue;
    ++peaks_f;
    found += std::fabs(yi.data<float>()[i] - yf.data<float>()[i]) < 0.01f;
  }
  EXPECT_GT(peaks_f, 16);
  EXPECT_EQ(found, peaks_f) << "every float peak is an integer peak of (nearly) the same value";
}

}  // namespace
}  // namespace etch::quant
