// Builds small integer (ai.etch) graphs by hand for compiler and simulator
// tests: QuantizeLinear in, integer layers with random weights and valid
// requantization pairs, optional DequantizeLinear out.
#pragma once
#include <random>
#include <string>
#include <vector>

#include "etch/ir/graph.h"
#include "etch/ir/op_registry.h"
#include "etch/runtime/requantize.h"

namespace etch::testing {

class QGraph {
 public:
  explicit QGraph(uint64_t seed) : rng_(seed) {}

  ir::Graph g;

  ir::ValueId float_input(const std::string& name, Shape s) { return g.add_input(name, DType::F32, s); }

  ir::ValueId quantize(ir::ValueId x, float scale, int zp) {
    auto s = g.add_constant(fresh("qs"), Tensor::scalar<float>(scale));
    auto z = g.add_constant(fresh("qz"), Tensor::scalar<int8_t>(static_cast<int8_t>(zp)));
    return node("QuantizeLinear", "", {x, s, z}, {});
  }
  ir::ValueId dequantize(ir::ValueId x, float scale, int zp) {
    auto s = g.add_constant(fresh("ds"), Tensor::scalar<float>(scale));
    auto z = g.add_constant(fresh("dz"), Tensor::scalar<int8_t>(static_cast<int8_t>(zp)));
    return node("DequantizeLinear", "", {x, s, z}, {});
  }

  // Random int8 weights; `keep_2_of_4` zeroes 2 of every 4 consecutive input channels.
  ir::ValueId conv(ir::ValueId x, int64_t m, int64_t k, int64_t stride, int64_t pad, int64_t group, int xzp, int yzp,
                   bool relu, bool keep_2_of_4 = false, int64_t dil = 1, int64_t pad_end = -1) {
    const int64_t c = g.value(x).shape[1];
    const int64_t cg = c / group;
    Tensor w(DType::I8, {m, cg, k, k});
    for (int64_t i = 0; i < w.numel(); ++i) w.data<int8_t>()[i] = static_cast<int8_t>(int(rng_() % 255) - 127);
    if (keep_2_of_4)
      for (int64_t o = 0; o < m; ++o)
        for (int64_t ci = 0; ci < cg; ++ci)
          for (int64_t r = 0; r < k * k; ++r)
            if ((ci + o + r) % 4 >= 2) w.data<int8_t>()[(o * cg + ci) * k * k + r] = 0;
    return qlayer("QConv", x, w, m, xzp, yzp, relu,
                  {{"kernel_shape", std::vector<int64_t>{k, k}},
                   {"strides", std::vector<int64_t>{stride, stride}},
                   {"pads", std::vector<int64_t>{pad, pad, pad_end < 0 ? pad : pad_end, pad_end < 0 ? pad : pad_end}},
                   {"dilations", std::vector<int64_t>{dil, dil}},
                   {"group", group}},
                  cg * k * k);
  }
  // A kh x kw conv, stride 1, padded by pad_h rows and pad_w columns on each side.
  ir::ValueId conv_rect(ir::ValueId x, int64_t m, int64_t kh, int64_t kw, int64_t pad_h, int64_t pad_w, int xzp,
                        int yzp, bool relu) {
    const int64_t c = g.value(x).shape[1];
    Tensor w(DType::I8, {m, c, kh, kw});
    for (int64_t i = 0; i < w.numel(); ++i) w.data<int8_t>()[i] = static_cast<int8_t>(int(rng_() % 255) - 127);
    return qlayer("QConv", x, w, m, xzp, yzp, relu,
                  {{"kernel_shape", std::vector<int64_t>{kh, kw}},
                   {"strides", std::vector<int64_t>{1, 1}},
                   {"pads", std::vector<int64_t>{pad_h, pad_w, pad_h, pad_w}},
                   {"dilations", std::vector<int64_t>{1, 1}},
                   {"group", int64_t{1}}},
                  c * kh * kw);
  }
  ir::ValueId gemm(ir::ValueId x, int64_t m, int xzp, int yzp, bool relu) {
    const int64_t k = g.value(x).shape[1];
    Tensor w(DType::I8, {m, k});
    for (int64_t i = 0; i < w.numel(); ++i) w.data<int8_t>()[i] = static_cast<int8_t>(int(rng_() % 255) - 127);
    return qlayer("QGemm", x, w, m, xzp, yzp, relu, {}, k);
  }
  ir::ValueId add(ir::ValueId a, ir::ValueId b, int azp, int bzp, int yzp) {
    auto qa = runtime::quantize_multiplier(0.5 * uniform(0.3, 1.0)), qb = runtime::quantize_multiplier(0.5);
    auto qy = runtime::quantize_multiplier(uniform(0.5, 2.0) / (1 << 20));
    return node("QAdd", "ai.etch", {a, b},
                {{"a_zero_point", int64_t{azp}},
                 {"b_zero_point", int64_t{bzp}},
                 {"y_zero_point", int64_t{yzp}},
                 {"left_shift", int64_t{20}},
                 {"a_multiplier", int64_t{qa.multiplier}},
                 {"a_shift", int64_t{qa.shift}},
                 {"b_multiplier", int64_t{qb.multiplier}},
                 {"b_shift", int64_t{qb.shift}},
                 {"y_multiplier", int64_t{qy.multiplier}},
                 {"y_shift", int64_t{qy.shift}},
                 {"act_min", int64_t{-128}},
                 {"act_max", int64_t{127}}});
  }
  ir::ValueId avgpool(ir::ValueId x, int64_t k, int64_t stride, int64_t pad, int xzp, int yzp) {
    const auto q = runtime::quantize_multiplier(uniform(0.5, 1.5) / (k * k));
    return node("QAveragePool", "ai.etch", {x},
                {{"kernel_shape", std::vector<int64_t>{k, k}},
                 {"strides", std::vector<int64_t>{stride, stride}},
                 {"pads", std::vector<int64_t>{pad, pad, pad, pad}},
                 {"x_zero_point", int64_t{xzp}},
                 {"y_zero_point", int64_t{yzp}},
                 {"multiplier", int64_t{q.multiplier}},
                 {"shift", int64_t{q.shift}},
                 {"act_min", int64_t{-128}},
                 {"act_max", int64_t{127}}});
  }
  ir::ValueId maxpool(ir::ValueId x, int64_t k, int64_t stride, int64_t pad = 0) {
    return node("MaxPool", "", {x},
                {{"kernel_shape", std::vector<int64_t>{k, k}},
                 {"strides", std::vector<int64_t>{stride, stride}},
                 {"pads", std::vector<int64_t>{pad, pad, pad, pad}}});
  }
  ir::ValueId lut(ir::ValueId x) {
    Tensor t(DType::I8, {256});
    for (int i = 0; i < 256; ++i) t.data<int8_t>()[i] = static_cast<int8_t>(std::min(127, (i * 7) % 256 - 128));
    return node("QLut", "ai.etch", {x, g.add_constant(fresh("table"), t)}, {{"function", std::string("Test")}});
  }
  ir::ValueId flatten(ir::ValueId x) { return node("Flatten", "", {x}, {{"axis", int64_t{1}}}); }
  ir::ValueId concat(std::vector<ir::ValueId> xs) { return node("Concat", "", xs, {{"axis", int64_t{1}}}); }
  ir::ValueId relu_float(ir::ValueId x) { return node("Relu", "", {x}, {}); }

  ir::ValueId node(const std::string& op, const std::string& domain, const std::vector<ir::ValueId>& ins,
                   std::map<std::string, ir::Attribute> attrs) {
    const std::string name = fresh(op);
    ir::ValueId out = g.add_value(name + "_out", DType::F32, {}, false);
    ir::NodeId id = g.add_node(op, ins, {out}, name, std::move(attrs), domain);
    ir::infer_node(g, *g.find_node(id));
    return out;
  }

  double uniform(double lo, double hi) { return lo + (hi - lo) * (rng_() % 1000000) / 1e6; }

 private:
  ir::ValueId qlayer(const std::string& op, ir::ValueId x, const Tensor& w, int64_t m, int xzp, int yzp, bool relu,
                     std::map<std::string, ir::Attribute> attrs, int64_t fan_in) {
    Tensor b(DType::I32, {m});
    std::vector<int64_t> mults, shifts;
    for (int64_t i = 0; i < m; ++i) {
      b.data<int32_t>()[i] = static_cast<int32_t>(int(rng_() % 20001) - 10000);
      const auto q = runtime::quantize_multiplier(uniform(0.3, 3.0) / (120.0 * std::sqrt(double(fan_in))));
      mults.push_back(q.multiplier);
      shifts.push_back(q.shift);
    }
    attrs["x_zero_point"] = int64_t{xzp};
    attrs["y_zero_point"] = int64_t{yzp};
    attrs["multipliers"] = mults;
    attrs["shifts"] = shifts;
    attrs["act_min"] = int64_t{relu ? yzp : -128};
    attrs["act_max"] = int64_t{127};
    return node(op, "ai.etch", {x, g.add_constant(fresh("w"), w), g.add_constant(fresh("b"), b)}, std::move(attrs));
  }
  std::string fresh(const std::string& base) { return base + "_" + std::to_string(counter_++); }

  std::mt19937_64 rng_;
  int counter_ = 0;
};

inline Tensor random_input(Shape s, uint64_t seed) {
  std::mt19937_64 r(seed);
  Tensor t(DType::F32, s);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = static_cast<float>((r() % 2000) / 1000.0 - 1.0);
  return t;
}

}  // namespace etch::testing
