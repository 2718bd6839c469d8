// Fused Relu/Clip that the following QuantizeLinear makes redundant: PTQ drops
// them from the QDQ graph, and neither the QDQ graph nor the integer graph
// lower_qdq makes of it changes a single output. Where the quantizer's range
// reaches past the activation's bounds, the activation stays.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "etch/quant/calibration_run.h"
#include "etch/quant/layer_report.h"
#include "etch/quant/lower_qdq.h"
#include "etch/quant/ptq_emit.h"
#include "etch/quant/qdq_util.h"
#include "etch/quant/qparams.h"
#include "etch/runtime/interpreter.h"
#include "etch/runtime/requantize.h"
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

// What quantize_ptq computes before it writes the QDQ graph.
struct Calibrated {
  ir::Graph prepared;
  QuantPlan plan;
  CalibrationStats stats;
  std::map<ir::ValueId, QuantParams> act;
};

Calibrated calibrate(const ir::Graph& f, const data::Dataset& d, const PtqOptions& o) {
  Calibrated c{prepare_for_quantization(f), {}, {}, {}};
  c.plan = plan_quantization(c.prepared, {});
  c.stats = run_calibration(c.prepared, c.plan, d, o);
  for (ir::ValueId v : c.plan.values)
    if (!c.plan.fixed.count(v) && !c.plan.shared.count(v))
      c.act[v] = activation_params(c.stats.ranges.at(v), c.prepared.value(v).name);
  return c;
}

ir::Graph emit(const Calibrated& c, const PtqOptions& o, bool drop_activations) {
  QuantPlan plan = c.plan;
  if (!drop_activations) plan.fused.clear();  // emit_qdq then keeps every Relu/Clip, as before
  return emit_qdq(c.prepared, plan, c.act, o, c.stats.channel_means, "test");
}

// The plan value produced by the activation fused into layer `name`.
ir::ValueId fused_output(const Calibrated& c, const std::string& name) {
  for (const auto& [v, act] : c.plan.fused) {
    const ir::Node* a = c.prepared.find_node(act);
    if (producer_of(c.prepared, a->inputs[0])->name == name) return v;
  }
  ADD_FAILURE() << "no activation fused into " << name;
  return ir::kNoValue;
}

// Images far outside the calibration range, so that the pre-activation
// tensors go well below 0 and above 6: the clamps are exercised.
Tensor extreme_images(const data::Dataset& d) {
  Tensor x = data::slice_images(d, 0, 32);
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = x.data<float>()[i] * 40.0f - 12.0f;
  return x;
}

TEST(RedundantActivation, ClampIsRedundantExactlyWhenQuantizeSaturatesAtTheBounds) {
  const float inf = std::numeric_limits<float>::infinity();
  auto p = [](float s, int32_t zp) { return QuantParams{{s}, {zp}, -1}; };
  struct Case {
    float lo, hi;
    QuantParams q;
    bool redundant;
  };
  const std::vector<Case> cases = {
      {0.0f, 6.0f, p(6.0f / 255.0f, -128), true},   // Relu6 calibrated to [0, 6]
      {0.0f, 6.0f, p(5.0f / 255.0f, -128), true},   // calibrated max below 6
      {0.0f, inf, p(0.02f, -128), true},            // Relu, zero point -128
      {0.0f, inf, p(0.02f, -127), false},           // Relu, but Q(0) = -127: negatives reach -128
      {0.0f, 6.0f, p(8.0f / 255.0f, -128), false},  // quantizer reaches 8 > 6
      {0.0f, 254.6f, p(1.0f, -128), true},          // Q(254.6) = 127
      {0.0f, 254.5f, p(1.0f, -128), false},         // a tie: half to even gives 126
      {0.0f, 253.0f, p(1.0f, -128), false},
      {-127.6f, 127.6f, p(1.0f, 0), true},
      {-127.4f, inf, p(1.0f, 0), false},  // Q(-127.4) = -127
      {-inf, inf, p(0.1f, 3), true},
      {std::nanf(""), 6.0f, p(6.0f / 255.0f, -128), false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message() << "[" << c.lo << ", " << c.hi << "] s=" << c.q.scales[0]
                                      << " zp=" << c.q.zero_points[0]);
    EXPECT_EQ(clamp_is_redundant(c.lo, c.hi, c.q), c.redundant);
    if (std::isnan(c.lo)) continue;
    // Against ONNX's QuantizeLinear (half to even) and etch's half away, on a
    // fine sweep across both bounds.
    bool same = true;
    const float s = c.q.scales[0];
    const int32_t zp = c.q.zero_points[0];
    for (int k = -40000; k <= 40000 && same; ++k) {
      const float x = static_cast<float>(k) * s / 100.0f;
      const float clamped = std::clamp(x, c.lo, c.hi);
      same = runtime::quantize_half_even<int8_t>(x, s, zp) == runtime::quantize_half_even<int8_t>(clamped, s, zp) &&
             runtime::quantize_half_away<int8_t>(x, s, zp) == runtime::quantize_half_away<int8_t>(clamped, s, zp);
    }
    if (c.redundant)
      EXPECT_TRUE(same) << "claimed redundant, but the clamp changes an output";
    else
      EXPECT_FALSE(same) << "the clamp changes no output here: the check is needlessly strict";
  }
  QuantParams per_channel{{0.1f, 0.2f}, {0, 0}, 0};
  EXPECT_FALSE(clamp_is_redundant(0.0f, inf, per_channel));
}

TEST(RedundantActivation, DroppedFromQdqWithBitIdenticalQdqAndIntegerOutputs) {
  const ir::Graph f = small_net();
  const data::Dataset d = blobs(64);
  const Tensor normal = data::slice_images(d, 0, 32), extreme = extreme_images(d);
  for (Calibration cal : {Calibration::MinMax, Calibration::Mse, Calibration::Entropy}) {
    SCOPED_TRACE(calibration_name(cal));
    const PtqOptions o = small_options(cal);
    const Calibrated c = calibrate(f, d, o);
    ASSERT_EQ(c.plan.fused.size(), 4u) << "conv1/conv2/add + Relu, dw + Relu6";
    const ir::Graph dropped = emit(c, o, true), kept = emit(c, o, false);
    EXPECT_EQ(count_ops(kept, "Relu"), 3);
    EXPECT_EQ(count_ops(kept, "Clip"), 1);
    EXPECT_EQ(count_ops(dropped, "Relu"), 0);
    EXPECT_EQ(count_ops(dropped, "Clip"), 0);
    // The public entry point is the dropping one.
    const ir::Graph ptq = quantize_ptq(f, d, o);
    EXPECT_EQ(count_ops(ptq, "Relu") + count_ops(ptq, "Clip"), 0);
    EXPECT_EQ(ptq.nodes().size(), dropped.nodes().size());

    // The extreme images do reach past both bounds of the Relu6.
    {
      runtime::Interpreter fi(c.prepared);
      const ir::ValueId dw = c.prepared.find_node_by_name("dw")->outputs[0];
      fi.keep_values({dw});
      fi.run({extreme});
      const auto v = fi.kept().at(dw).to_float_vector();
      EXPECT_LT(*std::min_element(v.begin(), v.end()), 0.0f);
      EXPECT_GT(*std::max_element(v.begin(), v.end()), 6.0f);
    }
    const ir::Graph di = lower_qdq(dropped), ki = lower_qdq(kept);
    for (const Tensor* x : {&normal, &extreme}) {
      EXPECT_TRUE(run(dropped, *x).equals(run(kept, *x))) << "QDQ graph (ONNX semantics)";
      EXPECT_TRUE(run(di, *x).equals(run(ki, *x))) << "integer graph";
    }
    // Same integer ops with the same clamps: [-128, 127] is the old intersection.
    ASSERT_EQ(di.nodes().size(), ki.nodes().size());
    for (const ir::Node& n : ki.nodes()) {
      if (!n.has_attr("act_min")) continue;
      const ir::Node* m = di.find_node_by_name(n.name);
      ASSERT_NE(m, nullptr) << n.name;
      EXPECT_EQ(m->attr_int("act_min", 0), n.attr_int("act_min", 1)) << n.name;
      EXPECT_EQ(m->attr_int("act_max", 0), n.attr_int("act_max", 1)) << n.name;
    }
    // The per-layer report still compares against the activation's output.
    EXPECT_EQ(layer_errors_json(layer_errors(c.prepared, dropped, di, d, 32)),
              layer_errors_json(layer_errors(c.prepared, kept, ki, d, 32)));
    // Activations with equal zero points share one constant.
    std::set<ir::ValueId> zps;
    std::set<int64_t> zp_values;
    for (const ir::Node& n : dropped.nodes())
      if (n.op_type == "QuantizeLinear") {
        zps.insert(n.inputs[2]);
        zp_values.insert(dropped.value(n.inputs[2]).data->to_int64_vector()[0]);
      }
    EXPECT_EQ(zps.size(), zp_values.size());
  }
}

TEST(RedundantActivation, KeptWhenTheQuantizerReachesPastTheBounds) {
  const ir::Graph f = small_net();
  const data::Dataset d = blobs(64);
  const PtqOptions o = small_options(Calibration::MinMax);
  Calibrated c = calibrate(f, d, o);
  // A Clip tighter than the calibrated range (as when a range is observed
  // before the Clip): the Relu6 after "dw" now clips at 0.4 of the observed
  // maximum, the quantizer still covers all of it, so the Clip is what stops
  // values in between.
  const ir::ValueId relu6 = fused_output(c, "dw");
  const float hi = 0.4f * c.stats.ranges.at(relu6).max;
  c.prepared.value(c.prepared.find_node(c.plan.fused.at(relu6))->inputs[2]).data = Tensor::scalar<float>(hi);
  // conv2's Relu output on [-1, 4]: zero point above -128, so Q alone would let
  // negatives through down to -128.
  const ir::ValueId relu2 = fused_output(c, "conv2");
  c.act[relu2] = activation_params(Range{-1.0f, 4.0f}, "conv2_out");
  ASSERT_GT(c.act[relu2].zero_points[0], -128);

  const ir::Graph q = emit(c, o, true), all = emit(c, o, false);
  EXPECT_EQ(count_ops(q, "Clip"), 1);
  EXPECT_EQ(count_ops(q, "Relu"), 1) << "conv2's; conv1's and the Add's are dropped";
  const ir::Graph qi = lower_qdq(q);
  const ir::Node* dw = qi.find_node_by_name("dw");
  ASSERT_NE(dw, nullptr);
  EXPECT_EQ(dw->attr_string("activation", ""), "clip");
  const QuantParams& p6 = c.act.at(relu6);
  const int8_t q_hi = runtime::quantize_half_even<int8_t>(hi, p6.scales[0], p6.zero_points[0]);
  EXPECT_LT(q_hi, 127);
  EXPECT_EQ(dw->attr_int("act_max", 127), q_hi);
  const ir::Node* conv2 = qi.find_node_by_name("conv2");
  ASSERT_NE(conv2, nullptr);
  EXPECT_EQ(conv2->attr_int("act_min", -128), c.act[relu2].zero_points[0]);

  const Tensor x = data::slice_images(d, 0, 32), xe = extreme_images(d);
  for (const Tensor* t : {&x, &xe}) {
    EXPECT_TRUE(run(qi, *t).equals(run(lower_qdq(all), *t)));
    EXPECT_TRUE(run(q, *t).equals(run(all, *t)));
  }

  // Dropping the Clip anyway would change dw's output: the check matters.
  ir::Graph wrong = q;
  ir::NodeId clip = -1;
  for (const ir::Node& n : wrong.nodes())
    if (n.op_type == "Clip") clip = n.id;
  const ir::Node& cn = *wrong.find_node(clip);
  const ir::ValueId in = cn.inputs[0], out = cn.outputs[0];
  for (ir::NodeId u : wrong.consumers(out))
    for (auto& i : wrong.find_node(u)->inputs)
      if (i == out) i = in;
  wrong.remove_nodes({clip});
  const ir::Graph wi = lower_qdq(wrong);
  auto dw_out = [&](const ir::Graph& g) {
    runtime::Interpreter it(g);
    const ir::ValueId v = g.find_node_by_name("dw")->outputs[0];
    it.keep_values({v});
    it.run({x});
    return it.kept().at(v);
  };
  const Tensor good = dw_out(qi), bad = dw_out(wi);
  EXPECT_FALSE(good.equals(bad));
  EXPECT_LE(*std::max_element(good.data<int8_t>(), good.data<int8_t>() + good.numel()), q_hi);
  EXPECT_GT(*std::max_element(bad.data<int8_t>(), bad.data<int8_t>() + bad.numel()), q_hi);
}

TEST(RedundantActivation, KeptWhenTheActivationOrItsLayerStaysFloat) {
  const ir::Graph f = small_net();
  const data::Dataset d = blobs(64);
  const ir::Node* relu = f.find_node(f.consumers(f.find_node_by_name("conv2")->outputs[0])[0]);
  ASSERT_EQ(relu->op_type, "Relu");
  ASSERT_FALSE(relu->name.empty());
  const ir::Graph prepared = prepare_for_quantization(f);
  const Tensor x = data::slice_images(d, 0, 16);
  for (const std::string& keep : {std::string("conv2"), relu->name}) {
    SCOPED_TRACE(keep);
    PtqOptions o = small_options(Calibration::MinMax);
    o.keep_float = {keep};
    const ir::Graph q = quantize_ptq(f, d, o);
    const ir::Graph i = lower_qdq(q);
    EXPECT_EQ(count_ops(q, "Relu"), 1) << "conv2's, in float; conv1's and the Add's dropped";
    EXPECT_EQ(count_ops(q, "Clip"), 0);
    // (A Relu between a DequantizeLinear and a QuantizeLinear lowers to a QLut.)
    EXPECT_EQ(count_ops(i, "Relu") + count_ops(i, "QLut"), 1);
    EXPECT_LT(max_abs_diff(run(f, x), run(i, x)), 0.1f * max_abs(run(f, x)));
    if (keep != "conv2") {
      // conv2 is integer, its float Relu reads the dequantized conv2 output:
      // the report compares conv2's own output, not the Relu's.
      for (const LayerError& e : layer_errors(prepared, q, i, d, 16))
        if (e.node == "conv2") {
          EXPECT_EQ(e.value, prepared.value(prepared.find_node_by_name("conv2")->outputs[0]).name);
        }
    }
  }
}

// One calibration image in 32 with values 100x the rest: pooled mse widens the
// input's range for it, sample-mse keeps the range of the other 31.
TEST(SampleMseCalibration, OneOutlierImageDoesNotDecideTheRange) {
  const ir::Graph f = small_net();
  data::Dataset d = blobs(32);
  for (int64_t i = 5 * 64; i < 6 * 64; ++i) d.images.data<float>()[i] *= 100.0f;
  PtqOptions o = small_options(Calibration::Mse);
  const Calibrated pooled = calibrate(f, d, o);
  o.calibration = Calibration::SampleMse;
  const Calibrated per_sample = calibrate(f, d, o);
  // The plan's first value is the network input (after the normalization).
  const ir::ValueId in = pooled.plan.values.front();
  const Range rp = pooled.stats.ranges.at(in), rs = per_sample.stats.ranges.at(in);
  EXPECT_GT(rp.max, 50.0f) << "pooled mse covers the outlier image";
  EXPECT_LT(rs.max, 5.0f) << "sample-mse keeps the usual range (blobs in [0, 1], normalized: up to 2)";
  EXPECT_GT(rs.max, 1.0f);
  EXPECT_EQ(per_sample.stats.samples, 32);
}

// A value with one element per sample (a keyword head's logit) gives each
// sample no distribution: sample-mse pools its samples as mse does. Here one
// sample in ten is 50 (the rare detections): the 90% of samples would clip
// them all to the others' range of about 1.
TEST(SampleMseCalibration, AValueWithFewElementsPerSamplePoolsItsSamples) {
  ir::GraphBuilder b("one_logit", 5);
  b.output(b.gemm(b.input("x", {-1, 1}), 1, "head"), "y");
  const ir::Graph f = b.finish();
  Tensor x(DType::F32, {100, 1});
  for (int64_t i = 0; i < 100; ++i) x.data<float>()[i] = i % 10 == 9 ? 50.0f : static_cast<float>(i % 10) / 9.0f;
  data::Dataset d;
  d.images = x;
  d.inputs.push_back({"x", x});
  PtqOptions o = small_options(Calibration::SampleMse);
  o.calib_samples = 100;
  const Calibrated c = calibrate(f, d, o);
  const Range r = c.stats.ranges.at(c.plan.values.front());  // the input x
  EXPECT_GT(r.max, 40.0f);
}

}  // namespace
}  // namespace etch::quant
