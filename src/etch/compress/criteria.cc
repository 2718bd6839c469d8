#include "etch/compress/criteria.h"

#include <cmath>
#include <map>

#include "etch/data/loader.h"
#include "etch/train/loss.h"

namespace etch::compress {

namespace {
// Per channel c of the BatchNorm node: |gamma|/sqrt(var+eps).
std::vector<double> bn_gain(const ir::Graph& g, ir::NodeId bn) {
  const ir::Node& n = *g.find_node(bn);
  const ir::Value& scale = g.value(n.inputs[1]);
  const ir::Value& var = g.value(n.inputs[4]);
  if (!scale.data || !var.data) return {};
  const float eps = n.attr_float("epsilon", 1e-5f);
  std::vector<double> out(scale.data->numel());
  for (size_t c = 0; c < out.size(); ++c)
    out[c] = std::fabs(scale.data->get_as_double(c)) / std::sqrt(var.data->get_as_double(c) + eps);
  return out;
}
}  // namespace

Scores magnitude_scores(const ir::Graph& g, const std::vector<Layer>& layers) {
  Scores s;
  for (const Layer& l : layers) {
    const Tensor& w = *g.value(l.weight).data;
    Tensor e(DType::F32, w.shape());
    std::vector<double> ch(l.out_channels, 0.0);
    const WeightLayout lay(w, l);
    for (int64_t i = 0; i < w.numel(); ++i) {
      e.data<float>()[i] = std::fabs(w.data<float>()[i]);
      ch[lay.out_of(i)] += e.data<float>()[i];
    }
    if (l.batchnorm >= 0) {
      const auto gain = bn_gain(g, l.batchnorm);
      if (gain.size() == ch.size())
        for (size_t c = 0; c < ch.size(); ++c) ch[c] *= gain[c];
    }
    s.element.push_back(std::move(e));
    s.channel.push_back(std::move(ch));
  }
  return s;
}

TaylorAccumulator::TaylorAccumulator(const ir::Graph& g, std::vector<Layer> layers) : layers_(std::move(layers)) {
  for (const Layer& l : layers_) {
    sum_.element.emplace_back(DType::F32, g.value(l.weight).data->shape());
    sum_.channel.emplace_back(l.out_channels, 0.0);
  }
}

void TaylorAccumulator::reset() {
  for (auto& e : sum_.element) std::fill(e.data<float>(), e.data<float>() + e.numel(), 0.0f);
  for (auto& c : sum_.channel) std::fill(c.begin(), c.end(), 0.0);
  batches_ = 0;
}

void TaylorAccumulator::add(train::Autodiff& ad) {
  std::map<ir::ValueId, const train::Param*> by_value;
  for (const auto& p : ad.params()) by_value[p.value] = &p;
  auto param = [&](ir::ValueId v) -> const train::Param* {
    auto it = by_value.find(v);
    return it == by_value.end() ? nullptr : it->second;
  };
  for (size_t li = 0; li < layers_.size(); ++li) {
    const Layer& l = layers_[li];
    const train::Param* w = param(l.weight);
    ETCH_CHECK(w != nullptr) << "layer '" << l.name << "' weight is not a trainable parameter";
    const WeightLayout lay(w->data, l);
    std::vector<double> ch(l.out_channels, 0.0);
    const float* wd = w->data.data<float>();
    const float* gd = w->grad.data<float>();
    float* acc = sum_.element[li].data<float>();
    for (int64_t i = 0; i < w->data.numel(); ++i) {
      const double wg = static_cast<double>(wd[i]) * gd[i];
      acc[i] += static_cast<float>(std::fabs(wg));
      ch[lay.out_of(i)] += wg;
    }
    const train::Param* b = l.bias != ir::kNoValue ? param(l.bias) : nullptr;
    if (b && b->data.numel() == l.out_channels)
      for (int64_t c = 0; c < l.out_channels; ++c)
        ch[c] += static_cast<double>(b->data.data<float>()[c]) * b->grad.data<float>()[c];
    if (l.batchnorm >= 0) {
      const ir::Node& bn = *ad.graph().find_node(l.batchnorm);
      const train::Param* gam = param(bn.inputs[1]);
      const train::Param* bet = param(bn.inputs[2]);
      if (gam && bet && gam->data.numel() == l.out_channels) {
        for (int64_t c = 0; c < l.out_channels; ++c)
          ch[c] = static_cast<double>(gam->data.data<float>()[c]) * gam->grad.data<float>()[c] +
                  static_cast<double>(bet->data.data<float>()[c]) * bet->grad.data<float>()[c];
      }
    }
    for (int64_t c = 0; c < l.out_channels; ++c) sum_.channel[li][c] += std::fabs(ch[c]);
  }
  ++batches_;
}

Scores TaylorAccumulator::scores() const {
  Scores s;
  const double inv = batches_ > 0 ? 1.0 / static_cast<double>(batches_) : 0.0;
  for (const Tensor& e : sum_.element) {
    Tensor t = e.clone();
    for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = static_cast<float>(t.data<float>()[i] * inv);
    s.element.push_back(std::move(t));
  }
  for (const auto& c : sum_.channel) {
    std::vector<double> v(c);
    for (double& x : v) x *= inv;
    s.channel.push_back(std::move(v));
  }
  return s;
}

Scores taylor_scores(ir::Graph& g, const std::vector<Layer>& layers, const data::Dataset& data, int64_t batches,
                     int64_t batch_size, uint64_t seed) {
  ETCH_REQUIRE(data.size() > 0, InvalidInput)
      << "data set '" << data.name << "' is empty; Taylor scores need gradients";
  train::Autodiff ad(g);
  TaylorAccumulator acc(g, layers);
  data::LoaderOptions lo;
  lo.batch_size = std::min(batch_size, data.size());
  lo.shuffle = true;
  lo.seed = seed;
  data::DataLoader loader(data, lo);
  const int64_t n = std::min(batches, loader.num_batches());
  for (int64_t b = 0; b < n; ++b) {
    data::Batch batch = loader.batch(b);
    Tensor logits = ad.forward({batch.images}, false)[0];
    train::LossResult loss = train::softmax_cross_entropy(logits, batch.labels);
    ad.zero_grad();
    ad.backward({loss.grad});
    acc.add(ad);
  }
  return acc.scores();
}

}  // namespace etch::compress
