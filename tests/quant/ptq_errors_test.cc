// Bad inputs to quantization fail with InvalidInput naming what is wrong; a
// constant activation is handled (scale 1, exact zero).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "etch/quant/lower_qdq.h"
#include "etch/quant/ptq.h"
#include "etch/quant/qat.h"
#include "etch/runtime/interpreter.h"
#include "quant/quant_test_models.h"

namespace etch::quant {
namespace {

using testing::blobs;
using testing::small_net;

void expect_invalid(const std::function<void()>& f, const std::vector<std::string>& mentions) {
  try {
    f();
    ADD_FAILURE() << "expected an InvalidInput error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput) << e.what();
    for (const auto& m : mentions) EXPECT_NE(std::string(e.what()).find(m), std::string::npos) << e.what();
  }
}

// The shared small options with fewer calibration samples (32: two batches).
PtqOptions error_test_options() {
  PtqOptions o = testing::small_options();
  o.calib_samples = 32;
  return o;
}

// Any number of calibration samples >= 1 is enough (a short last batch is fine).
TEST(PtqErrors, CalibrationSetSmallerThanOneBatchIsEnough) {
  const ir::Graph q = quantize_ptq(small_net(), blobs(8), error_test_options());
  EXPECT_NE(q.metadata.at("etch.quantization").find("samples=8"), std::string::npos);
}

TEST(PtqErrors, NanOrInfInWeightsNamesTheTensor) {
  for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    ir::Graph g = small_net();
    const ir::Node* conv2 = g.find_node_by_name("conv2");
    ir::Value& w = g.value(conv2->inputs[1]);
    Tensor t = w.data->clone();
    t.data<float>()[5] = bad;
    w.data = t;
    const std::string name = w.name;
    expect_invalid([&] { quantize_ptq(g, blobs(32), error_test_options()); }, {"'" + name + "'", "element 5", "conv2"});
  }
}

TEST(PtqErrors, KeepFloatOfUnknownNode) {
  PtqOptions o = error_test_options();
  o.keep_float = {"no_such_layer"};
  expect_invalid([&] { quantize_ptq(small_net(), blobs(32), o); }, {"--keep-float", "'no_such_layer'"});
}

TEST(PtqErrors, BitsPerLayerOfUnknownOrWeightlessNode) {
  PtqOptions o = error_test_options();
  o.bits_per_layer = {{"nope", 4}};
  expect_invalid([&] { quantize_ptq(small_net(), blobs(32), o); }, {"'nope'"});
  o.weight_bits = 3;
  o.bits_per_layer.clear();
  expect_invalid([&] { quantize_ptq(small_net(), blobs(32), o); }, {"must be 8 or 4", "3"});
}

TEST(PtqErrors, AlreadyQuantizedModelIsRefused) {
  const ir::Graph q = quantize_ptq(small_net(), blobs(32), error_test_options());
  expect_invalid([&] { quantize_ptq(q, blobs(32), error_test_options()); }, {"already quantized", "DequantizeLinear"});
  expect_invalid([&] { quantize_ptq(lower_qdq(q), blobs(32), error_test_options()); }, {"already quantized"});
  QatOptions qo;
  qo.epochs = 1;
  expect_invalid([&] { quantize_qat(q, blobs(32), error_test_options(), qo); }, {"already quantized"});
}

// An activation that is always 0 (a ReLU after a conv with all-negative
// bias and zero weights) gets scale 1 and zero point 0: the quantized model
// still runs and reproduces it exactly.
TEST(PtqErrors, ConstantActivationIsHandled) {
  ir::Graph g = small_net();
  const ir::Node* conv2 = g.find_node_by_name("conv2");
  ir::Value& w = g.value(conv2->inputs[1]);
  w.data = Tensor(DType::F32, w.data->shape());
  ir::Value& b = g.value(conv2->inputs[2]);
  Tensor nb(DType::F32, b.data->shape());
  for (int64_t i = 0; i < nb.numel(); ++i) nb.data<float>()[i] = -1.0f;
  b.data = nb;
  const data::Dataset d = blobs(32);
  const ir::Graph q = quantize_ptq(g, d, error_test_options());
  const ir::Graph i = lower_qdq(q);
  const ir::Node* qc = i.find_node_by_name("conv2");
  ASSERT_NE(qc, nullptr);
  EXPECT_EQ(qc->op_type, "QConv");
  EXPECT_FLOAT_EQ(qc->attr_float("y_scale", 0), 1.0f);
  const Tensor y = runtime::Interpreter(i).run({data::slice_images(d, 0, 4)})[0];
  for (float v : y.to_float_vector()) EXPECT_TRUE(std::isfinite(v));
}

}  // namespace
}  // namespace etch::quant
