#include "etch/compiler/plan_bound.h"

#include <algorithm>

#include "etch/npu/footprint.h"

namespace etch::compiler {
namespace {

// Folds of an iteration over tm output and ktile reduction entries come in at
// most four sizes: full or last along each axis.
struct FoldClasses {
  int64_t m_full, m_rem, k_full, k_rem;
  FoldClasses(int64_t tm, int64_t ktile, int64_t cols, int64_t fk)
      : m_full(tm / cols), m_rem(tm % cols), k_full(ktile / fk), k_rem(ktile % fk) {}
  // Sum of f(mc, kc) over the iteration's folds.
  template <class F>
  int64_t sum(int64_t cols, int64_t fk, F f) const {
    int64_t r = 0;
    auto row = [&](int64_t mc) { return k_full * f(mc, fk) + (k_rem > 0 ? f(mc, k_rem) : 0); };
    r += m_full * row(cols);
    if (m_rem > 0) r += row(m_rem);
    return r;
  }
};

}  // namespace

PlanBound::PlanBound(const ConvSpec& s, const TilePlan& /*p*/, const npu::Target& t, const Schedule& sc)
    : latency_(t.dram_latency_cycles) {
  const int64_t fk = fold_k(s, t), cols = t.cols;
  auto occ = [&](int64_t bytes) { return npu::dram_occupancy(bytes, t); };
  // A fold's weight loads (values and metadata when sparse), as conv_steps issues them.
  auto weight_occ = [&](int64_t mc, int64_t kc) {
    if (s.sparse) return occ(mc * npu::sparse_value_bytes(kc)) + occ(mc * npu::sparse_meta_bytes(kc));
    return occ(mc * kc);
  };
  for (size_t i = 0; i < sc.iters.size(); ++i) {
    const Iteration& it = sc.iters[i];
    const OutTile& o = sc.tiles[it.tile];
    const int64_t ktile = it.tc * s.kk(), n = o.th * s.ow;
    const FoldClasses fc(o.tm, ktile, cols, fk);
    const int64_t x = it.load_x ? occ(it.tc * s.rows_in(o.th) * s.in.pitch()) : 0;
    const int64_t params = it.load_params ? occ(npu::requant_params_bytes(o.tm)) : 0;
    if (i == 0) {
      for (int64_t mf = 0; mf < o.tm; mf += cols)
        for (int64_t kf = 0; kf < ktile; kf += fk)
          first_folds_.push_back(it.load_w ? weight_occ(std::min(cols, o.tm - mf), std::min(fk, ktile - kf)) : 0);
      first_x_ = x;
      first_params_ = params;
    } else {
      rest_dram_ += x + params + (it.load_w ? fc.sum(cols, fk, weight_occ) : 0);
    }
    streams_ += fc.sum(
        cols, fk, [&](int64_t, int64_t kc) { return npu::matmul_stream_cycles(n, npu::stored_k(kc, s.sparse), t); });
  }
  for (const OutTile& o : sc.tiles) rest_dram_ += occ(o.tm * o.th * s.ow);  // its STORE
  const OutTile& last = sc.tiles.back();
  const int64_t last_mc = last.tm - (last.tm - 1) / cols * cols;
  tail_ = npu::matmul_drain_cycles(last_mc, t) + npu::vector_cycles(last.tm * last.th * s.ow, t) +
          occ(last.tm * last.th * s.ow) + latency_;
}

int64_t PlanBound::bound(bool prefetched, int64_t skip) const {
  const int64_t folds = static_cast<int64_t>(first_folds_.size());
  if (!prefetched) skip = 0;
  if (prefetched && (skip <= 0 || skip > folds)) skip = folds;
  int64_t first_w = 0;
  for (int64_t f = skip; f < folds; ++f) first_w += first_folds_[f];
  const int64_t first_params = prefetched ? 0 : first_params_;
  const int64_t dram = rest_dram_ + first_w + first_x_ + first_params + latency_;
  // The first MATMUL waits for the input and parameters, which the load
  // queue issues after the first fold's weights (prefetched: assume 0).
  const int64_t head = prefetched ? 0 : latency_ + (folds > 0 ? first_folds_[0] : 0) + first_x_ + first_params;
  return std::max(dram, head + streams_ + tail_);
}

}  // namespace etch::compiler
