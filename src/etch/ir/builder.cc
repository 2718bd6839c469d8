#include "etch/ir/builder.h"

#include <cmath>

#include "etch/ir/op_registry.h"
#include "etch/ir/verifier.h"

namespace etch::ir {

uint64_t Rng::next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double Rng::uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }

GraphBuilder::GraphBuilder(const std::string& name, uint64_t seed) : rng_(seed) {
  g_.name = name;
  g_.opset = 17;
}

std::string GraphBuilder::fresh(const std::string& base) { return g_.unique_name(base); }

ValueId GraphBuilder::input(const std::string& name, Shape shape, DType dtype) {
  return g_.add_input(name, dtype, std::move(shape));
}

void GraphBuilder::output(ValueId v, const std::string& name) {
  // Rename so the graph output has a stable, user-facing name.
  if (!g_.find_value(name)) g_.value(v).name = name;
  g_.outputs.push_back(v);
}

ValueId GraphBuilder::constant(const std::string& name, Tensor t) { return g_.add_constant(fresh(name), std::move(t)); }

ValueId GraphBuilder::op(const std::string& op_type, const std::vector<ValueId>& inputs,
                         std::map<std::string, Attribute> attrs, const std::string& name) {
  const std::string node_name = fresh(name.empty() ? op_type + std::to_string(counter_++) : name);
  ValueId out = g_.add_value(fresh(node_name + "_out"), DType::F32, {}, false);
  NodeId id = g_.add_node(op_type, inputs, {out}, node_name, std::move(attrs));
  set_current_opset(g_.opset);
  infer_node(g_, *g_.find_node(id));
  return out;
}

ValueId GraphBuilder::conv(ValueId x, int64_t cout, int64_t k, int64_t stride, int64_t pad, int64_t group, bool bias,
                           const std::string& name) {
  const int64_t cin = value(x).shape.at(1);
  const int64_t fan_in = cin / group * k * k;
  const float bound = std::sqrt(6.0f / static_cast<float>(fan_in));
  Tensor w(DType::F32, {cout, cin / group, k, k});
  for (int64_t i = 0; i < w.numel(); ++i) w.data<float>()[i] = rng_.uniform(-bound, bound);
  std::vector<ValueId> ins = {x, constant(name + ".weight", w)};
  if (bias) ins.push_back(constant(name + ".bias", Tensor(DType::F32, {cout})));
  return op("Conv", ins,
            {{"kernel_shape", std::vector<int64_t>{k, k}},
             {"strides", std::vector<int64_t>{stride, stride}},
             {"pads", std::vector<int64_t>{pad, pad, pad, pad}},
             {"group", group}},
            name);
}

ValueId GraphBuilder::batchnorm(ValueId x, const std::string& name) {
  const int64_t c = value(x).shape.at(1);
  Tensor scale(DType::F32, {c}), var(DType::F32, {c});
  for (int64_t i = 0; i < c; ++i) scale.data<float>()[i] = var.data<float>()[i] = 1.0f;
  return op("BatchNormalization",
            {x, constant(name + ".weight", scale), constant(name + ".bias", Tensor(DType::F32, {c})),
             constant(name + ".running_mean", Tensor(DType::F32, {c})), constant(name + ".running_var", var)},
            {{"epsilon", 1e-5f}, {"momentum", 0.9f}}, name);
}

ValueId GraphBuilder::gemm(ValueId x, int64_t out_features, const std::string& name) {
  const int64_t in = value(x).shape.at(1);
  const float bound = 1.0f / std::sqrt(static_cast<float>(in));
  Tensor w(DType::F32, {out_features, in}), b(DType::F32, {out_features});
  for (int64_t i = 0; i < w.numel(); ++i) w.data<float>()[i] = rng_.uniform(-bound, bound);
  for (int64_t i = 0; i < b.numel(); ++i) b.data<float>()[i] = rng_.uniform(-bound, bound);
  return op("Gemm", {x, constant(name + ".weight", w), constant(name + ".bias", b)}, {{"transB", int64_t{1}}}, name);
}

ValueId GraphBuilder::relu6(ValueId x) {
  return op("Clip", {x, constant("relu6_min", Tensor::scalar(0.0f)), constant("relu6_max", Tensor::scalar(6.0f))});
}

ValueId GraphBuilder::maxpool(ValueId x, int64_t k, int64_t stride) {
  return op("MaxPool", {x},
            {{"kernel_shape", std::vector<int64_t>{k, k}}, {"strides", std::vector<int64_t>{stride, stride}}});
}

ValueId GraphBuilder::avgpool(ValueId x, int64_t k, int64_t stride) {
  return op("AveragePool", {x},
            {{"kernel_shape", std::vector<int64_t>{k, k}}, {"strides", std::vector<int64_t>{stride, stride}}});
}

ValueId GraphBuilder::normalize(ValueId x, const std::vector<float>& mean, const std::vector<float>& stdev) {
  const int64_t c = static_cast<int64_t>(mean.size());
  Tensor m(DType::F32, {1, c, 1, 1}), s(DType::F32, {1, c, 1, 1});
  for (int64_t i = 0; i < c; ++i) {
    m.data<float>()[i] = mean[i];
    s.data<float>()[i] = stdev[i];
  }
  ValueId centered = op("Sub", {x, constant("norm_mean", m)}, {}, "normalize_sub");
  return op("Div", {centered, constant("norm_std", s)}, {}, "normalize_div");
}

Graph GraphBuilder::finish() {
  verify(g_);
  return std::move(g_);
}

}  // namespace etch::ir
