// QAT: FakeQuantize forward equals QuantizeLinear→DequantizeLinear, its
// gradient is the straight-through estimator, and quantize_qat trains through
// train::fit (or, without labels, towards the float model's outputs) and
// converts to the same kind of integer graph as PTQ.
#include "etch/quant/qat.h"

#include <gtest/gtest.h>

#include <cmath>

#include "etch/ir/ops/qint_ops.h"
#include "etch/quant/fake_quant_op.h"
#include "etch/quant/lower_qdq.h"
#include "etch/quant/ptq.h"
#include "etch/runtime/interpreter.h"
#include "etch/train/autodiff.h"
#include "etch/train/output_matching.h"
#include "quant/quant_test_models.h"

namespace etch::quant {
namespace {

ir::Node fq_node(int lo, int hi, int axis = -1) {
  ir::Node n;
  n.name = "fq";
  n.op_type = kFakeQuantize;
  n.domain = ir::kEtchDomain;
  n.inputs = {0, 1, 2};
  n.outputs = {3};
  n.attrs = {{"quant_min", int64_t{lo}}, {"quant_max", int64_t{hi}}};
  if (axis >= 0) n.attrs["axis"] = int64_t{axis};
  return n;
}

TEST(FakeQuantize, ForwardIsQuantizeThenDequantizeWithHalfEven) {
  const Tensor x = Tensor::from_vector<float>({7}, {-3.0f, -0.25f, 0.25f, 0.75f, 1.0f, 5.0f, 0.1f});
  const Tensor s = Tensor::scalar<float>(0.5f), z = Tensor::scalar<float>(1.0f);
  // q = clamp(rint(x / 0.5) + 1, -2, 3): -6+1→-2 (clamped), rint(-0.5)=-0 →1, rint(0.5)=0 →1, rint(1.5)=2 →3,
  // 2+1=3, 10+1→3 (clamped), rint(0.2)=0 →1; y = (q − 1)·0.5.
  const auto y = runtime::run_node(fq_node(-2, 3), {&x, &s, &z})[0].to_float_vector();
  const std::vector<float> want = {-1.5f, 0.0f, 0.0f, 1.0f, 1.0f, 1.0f, 0.0f};
  EXPECT_EQ(y, want);
}

TEST(FakeQuantize, PerChannelAlongAxis0) {
  const Tensor x = Tensor::from_vector<float>({2, 2}, {0.3f, 0.3f, 0.3f, 0.3f});
  const Tensor s = Tensor::from_vector<float>({2}, {0.1f, 0.25f}), z = Tensor::from_vector<float>({2}, {0.0f, 0.0f});
  const auto y = runtime::run_node(fq_node(-7, 7, 0), {&x, &s, &z})[0].to_float_vector();
  EXPECT_NEAR(y[0], 0.3f, 1e-6f);
  EXPECT_NEAR(y[2], 0.25f, 1e-6f);
}

TEST(FakeQuantize, StraightThroughGradientMasksClampedValues) {
  ir::Graph g;
  const ir::ValueId x = g.add_input("x", DType::F32, {4});
  const ir::ValueId s = g.add_constant("s", Tensor::scalar<float>(1.0f));
  const ir::ValueId z = g.add_constant("z", Tensor::scalar<float>(0.0f));
  const ir::ValueId y = g.add_value("y", DType::F32, {4});
  g.add_node(kFakeQuantize, {x, s, z}, {y}, "fq", {{"quant_min", int64_t{-2}}, {"quant_max", int64_t{2}}},
             ir::kEtchDomain);
  g.outputs = {y};
  train::Autodiff ad(g, {}, /*input_grads=*/true);
  ad.forward({Tensor::from_vector<float>({4}, {-5.0f, -1.2f, 1.7f, 2.6f})}, true);
  ad.backward({Tensor::from_vector<float>({4}, {1.0f, 2.0f, 3.0f, 4.0f})});
  const auto dx = ad.input_grad(0).to_float_vector();
  EXPECT_EQ(dx, (std::vector<float>{0.0f, 2.0f, 3.0f, 0.0f})) << "rint(2.6)=3 is clamped to 2";
}

// W4 weights and minmax ranges from 64 samples: what the QAT tests start from.
PtqOptions w4_minmax() {
  PtqOptions o;
  o.calibration = Calibration::MinMax;
  o.calib_samples = 64;
  o.calib_batch = 16;
  o.weight_bits = 4;
  return o;
}

TEST(Qat, TrainsAndConvertsToTheSameIntegerOpsAsPtq) {
  const ir::Graph f = testing::small_net();
  const data::Dataset d = testing::blobs(128);
  const PtqOptions o = w4_minmax();
  QatOptions q;
  q.epochs = 1;
  q.max_steps_per_epoch = 4;
  q.batch_size = 16;
  q.lr = 1e-3f;
  q.progress = false;
  const ir::Graph qat = quantize_qat(f, d, o, q);
  const ir::Graph ptq = quantize_ptq(f, d, o);
  // The conversion shares PTQ's writer: redundant fused Relu/Clip are dropped.
  for (const auto& n : qat.nodes()) EXPECT_TRUE(n.op_type != "Relu" && n.op_type != "Clip") << n.describe();
  const ir::Graph qi = lower_qdq(qat), pi = lower_qdq(ptq);
  ASSERT_EQ(qi.nodes().size(), pi.nodes().size());
  for (size_t k = 0; k < qi.nodes().size(); ++k) EXPECT_EQ(qi.nodes()[k].op_type, pi.nodes()[k].op_type);
  // Training changed the weights.
  const ir::Node* a = qi.find_node_by_name("conv2");
  const ir::Node* b = pi.find_node_by_name("conv2");
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(qi.value(a->inputs[1]).data->equals(*pi.value(b->inputs[1]).data));
  // The caller's float model is untouched.
  const ir::Graph f2 = testing::small_net();
  const Tensor x = data::slice_images(d, 0, 4);
  EXPECT_TRUE(runtime::Interpreter(f).run({x})[0].equals(runtime::Interpreter(f2).run({x})[0]));
  for (float v : runtime::Interpreter(qi).run({x})[0].to_float_vector()) EXPECT_TRUE(std::isfinite(v));
}

// With BatchNorm live for the first steps, its running statistics learn the
// data before folding; with 0 steps the (deliberately wrong) ones are folded.
// The learning rate is negligible, so only the statistics move, and the mean
// they reached can be read back from the folded weights and bias.
TEST(Qat, LiveBatchNormStepsLearnRunningStatisticsBeforeFolding) {
  ir::Graph f = testing::small_net();
  const ir::Node& bn = *f.find_node(f.consumers(f.find_node_by_name("conv1")->outputs[0])[0]);
  ASSERT_EQ(bn.op_type, "BatchNormalization");
  const double momentum = bn.attr_float("momentum", 0.9f);
  Tensor& run_mean = *f.value(bn.inputs[3]).data;
  for (int64_t c = 0; c < run_mean.numel(); ++c) run_mean.data<float>()[c] = 3.0f;  // far from the data
  const std::vector<float> beta = f.value(bn.inputs[2]).data->to_float_vector();
  const std::vector<float> w0 = f.value(f.find_node_by_name("conv1")->inputs[1]).data->to_float_vector();
  const data::Dataset d = testing::blobs(512);
  // The data's per-channel mean of conv1's output.
  runtime::Interpreter ref(f);
  const ir::ValueId conv_out = f.find_node_by_name("conv1")->outputs[0];
  ref.keep_values({conv_out});
  ref.run({d.images});
  const Tensor& y = ref.kept().at(conv_out);
  const int64_t channels = y.dim(1), plane = y.dim(2) * y.dim(3);
  std::vector<double> data_mean(channels, 0.0);
  for (int64_t n = 0; n < y.dim(0); ++n)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < plane; ++i) data_mean[c] += y.data<float>()[(n * channels + c) * plane + i];
  for (auto& m : data_mean) m /= static_cast<double>(y.dim(0) * plane);

  PtqOptions o;
  o.calibration = Calibration::MinMax;
  o.calib_samples = 64;
  o.calib_batch = 16;
  QatOptions q;
  q.epochs = 1;
  q.max_steps_per_epoch = 1;
  q.batch_size = 16;
  q.lr = 1e-12f;
  q.progress = false;
  // The running mean the folded conv1 implies: folding gives
  // w' = w·k and b' = beta − k·mean with k = gamma / sqrt(var + eps).
  const auto folded_mean = [&](int64_t live_steps) {
    q.freeze_bn_steps = live_steps;
    const ir::Graph qdq = quantize_qat(f, d, o, q);
    const std::vector<float> b = qdq.value(qdq.find_node_by_name("conv1")->inputs[2]).data->to_float_vector();
    const ir::ValueId wd = qdq.find_node_by_name("conv1")->inputs[1];
    const ir::Node& dq = *qdq.find_node(qdq.value(wd).producer);
    const Tensor& wq = *qdq.value(dq.inputs[0]).data;
    const std::vector<float> scale = qdq.value(dq.inputs[1]).data->to_float_vector();
    std::vector<double> mean(channels);
    const int64_t per = wq.numel() / channels;
    for (int64_t c = 0; c < channels; ++c) {
      // k from the largest weight of the channel (least relative rounding).
      int64_t arg = c * per;
      for (int64_t i = c * per; i < (c + 1) * per; ++i)
        if (std::fabs(w0[i]) > std::fabs(w0[arg])) arg = i;
      const double k = static_cast<double>(wq.data<int8_t>()[arg]) * scale[c] / w0[arg];
      mean[c] = (beta[c] - b[c]) / k;
      EXPECT_GT(k, 0.0) << "gamma is positive in small_net";
    }
    return mean;
  };
  const std::vector<double> frozen = folded_mean(0), live = folded_mean(30);
  for (int64_t c = 0; c < channels; ++c) {
    EXPECT_NEAR(frozen[c], 3.0, 0.05) << "channel " << c << ": folded as given";
    // 30 updates running = momentum·running + (1 − momentum)·batch_mean.
    const double left = std::pow(momentum, 30.0);
    EXPECT_NEAR(live[c], left * 3.0 + (1.0 - left) * data_mean[c], 0.05 * (std::fabs(data_mean[c]) + 1.0))
        << "channel " << c << ": running mean after 30 live steps";
  }
}

// Without labels QAT learns the float model's outputs: on samples it never
// saw, its W4 model is closer to the float one than PTQ's from the same
// calibration.
TEST(Qat, WithoutLabelsMatchesTheFloatModelsOutputs) {
  const ir::Graph f = testing::small_net();
  data::Dataset d = testing::blobs(256);
  d.labels = Tensor();
  data::Dataset held = testing::blobs(128, /*seed=*/11);
  held.labels = Tensor();
  const PtqOptions o = w4_minmax();
  QatOptions q;
  q.epochs = 2;
  q.batch_size = 16;
  q.lr = 1e-3f;
  q.progress = false;
  const double qat = train::output_sqnr_db(lower_qdq(quantize_qat(f, d, o, q)), f, held);
  const double ptq = train::output_sqnr_db(lower_qdq(quantize_ptq(f, d, o)), f, held);
  EXPECT_GT(qat, ptq + 1.0) << "QAT " << qat << " dB, PTQ " << ptq << " dB";
  // Live BatchNorm needs the task loss; matching outputs runs it folded.
  q.freeze_bn_steps = 5;
  try {
    quantize_qat(f, d, o, q);
    ADD_FAILURE() << "live BatchNorm steps accepted without labels";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no labels"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace etch::quant
