// Small models and synthetic data sets for the PTQ / QAT / lowering tests.
#pragma once
#include <algorithm>
#include <cmath>
#include <string>

#include "etch/data/dataset.h"
#include "etch/ir/builder.h"
#include "etch/quant/ptq.h"
#include "etch/runtime/interpreter.h"

namespace etch::quant::testing {

inline int count_ops(const ir::Graph& g, const std::string& op) {
  return static_cast<int>(
      std::count_if(g.nodes().begin(), g.nodes().end(), [&](const ir::Node& n) { return n.op_type == op; }));
}

// One input through the reference interpreter, its first output.
inline Tensor run(const ir::Graph& g, const Tensor& x) { return runtime::Interpreter(g).run({x})[0]; }

inline float max_abs(const Tensor& t) {
  float m = 0;
  for (float v : t.to_float_vector()) m = std::max(m, std::fabs(v));
  return m;
}

inline float max_abs_diff(const Tensor& a, const Tensor& b) {
  float m = 0;
  const auto x = a.to_float_vector(), y = b.to_float_vector();
  for (size_t i = 0; i < x.size(); ++i) m = std::max(m, std::fabs(x[i] - y[i]));
  return m;
}

// The scale of the DequantizeLinear that produces g's first output (0: none).
inline float output_scale(const ir::Graph& g) {
  for (const auto& n : g.nodes())
    if (n.op_type == "DequantizeLinear" && n.outputs[0] == g.outputs[0])
      return g.value(n.inputs[1]).data->to_float_vector()[0];
  return 0;
}

// conv-bn-relu → maxpool → conv-relu → (+ residual) relu → conv(depthwise) →
// GAP → flatten → fc; input [N, 1, 8, 8]. Exercises every integer op but QLut.
inline ir::Graph small_net(uint64_t seed = 7) {
  ir::GraphBuilder b("small", seed);
  auto x = b.input("input", {-1, 1, 8, 8});
  x = b.normalize(x, {0.5f}, {0.25f});
  auto y = b.relu(b.batchnorm(b.conv(x, 6, 3, 1, 1, 1, false, "conv1"), "bn1"));
  y = b.maxpool(y, 2, 2);
  auto z = b.relu(b.conv(y, 6, 3, 1, 1, 1, true, "conv2"));
  z = b.relu(b.add(z, y));
  z = b.relu6(b.conv(z, 6, 3, 1, 1, 6, true, "dw"));
  auto logits = b.gemm(b.flatten(b.global_avgpool(z)), 5, "fc");
  b.output(logits, "logits");
  ir::Graph g = b.finish();
  // Non-trivial BatchNorm statistics and biases.
  ir::Rng rng(seed + 1);
  for (auto& n : g.nodes()) {
    if (n.op_type != "BatchNormalization") continue;
    for (int i = 1; i <= 4; ++i) {
      Tensor& t = *g.value(n.inputs[i]).data;
      for (int64_t k = 0; k < t.numel(); ++k)
        t.data<float>()[k] = i == 4 ? rng.uniform(0.5f, 2.0f) : rng.uniform(-0.5f, 0.5f) + (i == 1 ? 1.0f : 0.0f);
    }
  }
  return g;
}

// a = relu(conv a), b = relu(conv b), both of x [1, 1, 8, 8];
// padded = Concat(a, zeros [1, 2, 8, 8]); mixed = Concat(b, a);
// y = conv 1x1 (padded) + conv 1x1 (mixed).
inline ir::Graph concat_net() {
  ir::GraphBuilder b("concats", 11);
  auto x = b.input("input", {1, 1, 8, 8});
  auto a = b.relu(b.conv(x, 4, 3, 1, 1, 1, true, "conv_a"));
  auto bb = b.relu(b.conv(x, 3, 3, 1, 1, 1, true, "conv_b"));
  auto zeros = b.constant("zeros", Tensor::zeros(DType::F32, {1, 2, 8, 8}));
  auto padded = b.op("Concat", {a, zeros}, {{"axis", int64_t{1}}});
  auto mixed = b.op("Concat", {bb, a}, {{"axis", int64_t{1}}});
  b.output(b.add(b.conv(padded, 4, 1, 1, 0, 1, true, "conv_p"), b.conv(mixed, 4, 1, 1, 0, 1, true, "conv_m")), "y");
  ir::Graph g = b.finish();
  // b spans four times a's range, so mixed's grid is not a's.
  const ir::Node& conv_b = *g.find_node_by_name("conv_b");
  for (size_t i = 1; i < conv_b.inputs.size(); ++i) {  // weight and bias
    Tensor& t = *g.value(conv_b.inputs[i]).data;
    for (int64_t k = 0; k < t.numel(); ++k) t.data<float>()[k] *= 4;
  }
  return g;
}

// Smooth random images in [0, 1] (a blob per image) with labels 0..4.
inline data::Dataset blobs(int64_t n, uint64_t seed = 3) {
  data::Dataset d;
  d.name = "blobs";
  d.num_classes = 5;
  d.images = Tensor(DType::F32, {n, 1, 8, 8});
  d.labels = Tensor(DType::I64, {n});
  ir::Rng rng(seed);
  for (int64_t i = 0; i < n; ++i) {
    const float cx = rng.uniform(1, 7), cy = rng.uniform(1, 7), r = rng.uniform(1, 3);
    for (int64_t p = 0; p < 64; ++p) {
      const float dx = static_cast<float>(p % 8) - cx, dy = static_cast<float>(p / 8) - cy;
      d.images.data<float>()[i * 64 + p] = std::exp(-(dx * dx + dy * dy) / (r * r)) * 0.9f + rng.uniform(0, 0.1f);
    }
    d.labels.data<int64_t>()[i] = static_cast<int64_t>(rng.next() % 5);
  }
  return d;
}

// PTQ options sized for the small test models: 64 calibration samples in
// batches of 16.
inline PtqOptions small_options(Calibration c = Calibration::MinMax) {
  PtqOptions o;
  o.calibration = c;
  o.calib_samples = 64;
  o.calib_batch = 16;
  return o;
}

}  // namespace etch::quant::testing
