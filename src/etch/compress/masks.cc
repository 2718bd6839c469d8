#include "etch/compress/masks.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace etch::compress {

namespace {
double rms(const float* x, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += static_cast<double>(x[i]) * x[i];
  s = std::sqrt(s / std::max<int64_t>(1, n));
  return s > 0 ? s : 1.0;
}
double rms(const std::vector<double>& x) {
  double s = 0;
  for (double v : x) s += v * v;
  s = std::sqrt(s / std::max<size_t>(1, x.size()));
  return s > 0 ? s : 1.0;
}

// Indices of the k lowest scores (ties: lower index first).
std::vector<int64_t> lowest(const std::vector<double>& score, int64_t k) {
  std::vector<int64_t> idx(score.size());
  std::iota(idx.begin(), idx.end(), 0);
  k = std::clamp<int64_t>(k, 0, static_cast<int64_t>(idx.size()));
  auto less = [&](int64_t a, int64_t b) { return score[a] < score[b] || (score[a] == score[b] && a < b); };
  std::nth_element(idx.begin(), idx.begin() + k, idx.end(), less);
  idx.resize(k);
  return idx;
}

int64_t rounded(double x) { return static_cast<int64_t>(std::llround(x)); }

// Global scope: entries (layer, element) sorted by normalised score; prunes
// the lowest `total_prune` while each layer keeps at least floor[l].
std::vector<int64_t> global_counts(const std::vector<std::vector<double>>& norm, const std::vector<int64_t>& floor_keep,
                                   double sparsity) {
  struct Entry {
    double s;
    int l;
    int64_t i;
  };
  std::vector<Entry> all;
  int64_t total = 0;
  for (size_t l = 0; l < norm.size(); ++l) {
    total += static_cast<int64_t>(norm[l].size());
    for (size_t i = 0; i < norm[l].size(); ++i)
      all.push_back({norm[l][i], static_cast<int>(l), static_cast<int64_t>(i)});
  }
  std::sort(all.begin(), all.end(), [](const Entry& a, const Entry& b) {
    return a.s < b.s || (a.s == b.s && (a.l < b.l || (a.l == b.l && a.i < b.i)));
  });
  std::vector<int64_t> pruned(norm.size(), 0);
  int64_t left = rounded(sparsity * static_cast<double>(total));
  for (const Entry& e : all) {
    if (left == 0) break;
    const int64_t size = static_cast<int64_t>(norm[e.l].size());
    if (size - pruned[e.l] <= floor_keep[e.l]) continue;
    ++pruned[e.l];
    --left;
  }
  return pruned;
}
}  // namespace

MaskSet unstructured_masks(const std::vector<Layer>& layers, const Scores& s, double sparsity, Scope scope,
                           int64_t min_channels) {
  std::vector<std::vector<double>> score(layers.size());
  std::vector<int64_t> floor_keep(layers.size());
  for (size_t l = 0; l < layers.size(); ++l) {
    const Tensor& e = s.element[l];
    const double r = scope == Scope::Global ? rms(e.data<float>(), e.numel()) : 1.0;
    score[l].resize(e.numel());
    for (int64_t i = 0; i < e.numel(); ++i) score[l][i] = e.data<float>()[i] / r;
    floor_keep[l] =
        std::min<int64_t>(e.numel(), std::max<int64_t>(1, min_channels * (e.numel() / layers[l].out_channels)));
  }
  std::vector<int64_t> counts(layers.size());
  if (scope == Scope::Global) {
    counts = global_counts(score, floor_keep, sparsity);
  } else {
    for (size_t l = 0; l < layers.size(); ++l)
      counts[l] = std::min(rounded(sparsity * static_cast<double>(score[l].size())),
                           static_cast<int64_t>(score[l].size()) - floor_keep[l]);
  }
  MaskSet masks;
  for (size_t l = 0; l < layers.size(); ++l) {
    Tensor m(DType::F32, s.element[l].shape());
    std::fill(m.data<float>(), m.data<float>() + m.numel(), 1.0f);
    for (int64_t i : lowest(score[l], counts[l])) m.data<float>()[i] = 0.0f;
    masks[layers[l].weight] = std::move(m);
  }
  return masks;
}

MaskSet nm_masks(const std::vector<Layer>& layers, const Scores& s, int64_t n, int64_t m,
                 std::vector<std::string>* skipped) {
  MaskSet masks;
  for (size_t l = 0; l < layers.size(); ++l) {
    const Layer& L = layers[l];
    if (L.in_channels < m) {
      if (skipped) skipped->push_back(L.name);
      continue;
    }
    ETCH_REQUIRE(L.in_channels % m == 0, InvalidInput)
        << "layer '" << L.name << "' (" << L.op << ") has " << L.in_channels << " input channels"
        << (L.group > 1 ? " per group" : "") << ", not a multiple of M=" << m << " for " << n << ":" << m << " pruning";
    const Tensor& e = s.element[l];
    const WeightLayout lay(e, L);
    Tensor mask(DType::F32, e.shape());
    std::fill(mask.data<float>(), mask.data<float>() + mask.numel(), 1.0f);
    std::vector<int64_t> order(m);
    for (int64_t i = 0; i < e.numel(); ++i) {
      if (lay.in_of(i) % m != 0) continue;  // i starts a group
      std::iota(order.begin(), order.end(), 0);
      const float* sc = e.data<float>();
      std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        const float x = sc[i + a * lay.in_stride], y = sc[i + b * lay.in_stride];
        return x > y || (x == y && a < b);
      });
      for (int64_t k = n; k < m; ++k) mask.data<float>()[i + order[k] * lay.in_stride] = 0.0f;
    }
    masks[L.weight] = std::move(mask);
  }
  return masks;
}

std::vector<std::vector<int64_t>> select_channels(const std::vector<Layer>& layers, const ChannelPlan& plan,
                                                  const Scores& s, double sparsity, Scope scope, int64_t min_channels) {
  // A group's channel score: mean over its layers of RMS-normalised scores
  // (layers tied by an Add are ranked together on a common scale).
  std::vector<std::vector<double>> score(plan.groups.size());
  std::vector<int64_t> floor_keep(plan.groups.size());
  for (size_t gi = 0; gi < plan.groups.size(); ++gi) {
    const ChannelGroup& grp = plan.groups[gi];
    score[gi].assign(grp.channels, 0.0);
    for (int li : grp.layers) {
      const auto& ch = s.channel[li];
      const double r = rms(ch);
      for (int64_t c = 0; c < grp.channels; ++c) score[gi][c] += ch[c] / r / static_cast<double>(grp.layers.size());
    }
    floor_keep[gi] = std::min(grp.channels, min_channels);
    (void)layers;
  }
  std::vector<int64_t> counts(plan.groups.size());
  if (scope == Scope::Global) {
    counts = global_counts(score, floor_keep, sparsity);
  } else {
    for (size_t gi = 0; gi < score.size(); ++gi)
      counts[gi] = std::min(rounded(sparsity * static_cast<double>(score[gi].size())),
                            static_cast<int64_t>(score[gi].size()) - floor_keep[gi]);
  }
  std::vector<std::vector<int64_t>> keep(plan.groups.size());
  for (size_t gi = 0; gi < score.size(); ++gi) {
    std::vector<bool> drop(score[gi].size(), false);
    for (int64_t c : lowest(score[gi], counts[gi])) drop[c] = true;
    for (size_t c = 0; c < drop.size(); ++c)
      if (!drop[c]) keep[gi].push_back(static_cast<int64_t>(c));
  }
  return keep;
}

void apply_masks(ir::Graph& g, const MaskSet& masks) {
  for (const auto& [v, m] : masks) {
    Tensor& t = *g.value(v).data;
    ETCH_CHECK(t.numel() == m.numel()) << "mask of '" << g.value(v).name << "' does not match its tensor";
    float* d = t.data<float>();
    const float* k = m.data<float>();
    for (int64_t i = 0; i < t.numel(); ++i) d[i] *= k[i];
  }
}

}  // namespace etch::compress
