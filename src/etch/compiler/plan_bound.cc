// The sums are taken over classes of tiles rather than over the schedule's
// iterations: output-channel tiles come in at most two sizes, row tiles in a
// few (a short first and last one, uniform ones, shorter remainders),
// input-channel tiles in two, and a tile's folds in four; the loads follow
// make_schedule's reuse rules (schedule.cc), so the bound costs a few dozen
// operations per row tile whatever the layer's channel counts.
#include "etch/compiler/plan_bound.h"

#include <algorithm>
#include <utility>

#include "etch/npu/footprint.h"

namespace etch::compiler {
namespace {

// (size, count) of the tiles splitting n into tiles of `tile`, the last one shorter.
std::vector<std::pair<int64_t, int64_t>> even_tiles(int64_t n, int64_t tile) {
  std::vector<std::pair<int64_t, int64_t>> v;
  if (n <= 0) return v;
  if (n / tile > 0) v.push_back({tile, n / tile});
  if (n % tile > 0) v.push_back({n % tile, 1});
  return v;
}

}  // namespace

PlanBound::PlanBound(const ConvSpec& s, const TilePlan& p, const npu::Target& t) : latency_(t.dram_latency_cycles) {
  const int64_t fk = fold_k(s, t), cols = t.cols, kk = s.kk();
  auto occ = [&](int64_t bytes) { return npu::dram_occupancy(bytes, t); };
  // Sum of f(mc, kc) over the folds of a tm x ktile iteration.
  auto folds_sum = [&](int64_t tm, int64_t ktile, auto f) {
    int64_t r = 0;
    for (auto [mc, mn] : even_tiles(tm, cols))
      for (auto [kc, kn] : even_tiles(ktile, fk)) r += mn * kn * f(mc, kc);
    return r;
  };
  // A fold's weight loads (values and metadata when sparse), as conv_steps issues them.
  auto weight_occ = [&](int64_t mc, int64_t kc) {
    if (s.sparse) return occ(mc * npu::sparse_value_bytes(kc)) + occ(mc * npu::sparse_meta_bytes(kc));
    return occ(mc * kc);
  };
  // Spatial tiles as make_schedule cuts them (row tiles, each cut into
  // column tiles), as classes of (rows, columns) with their counts.
  const std::vector<std::pair<int64_t, int64_t>> row_list = row_tiles(s, p), col_list = col_tiles(s, p);
  struct Area {
    int64_t h, w, n;
  };
  std::vector<Area> rows;
  for (auto [y, h] : row_list)
    for (auto [x, w] : col_list) {
      auto same = std::find_if(rows.begin(), rows.end(), [&](const Area& a) { return a.h == h && a.w == w; });
      if (same == rows.end())
        rows.push_back({h, w, 1});
      else
        ++same->n;
    }
  const auto ms = even_tiles(s.mg, p.tm), cs = even_tiles(s.cg, p.tc);
  int64_t nm = 0, nh = 0;
  for (auto [m, n] : ms) nm += n;
  for (const Area& a : rows) nh += a.n;
  const int64_t nc = (s.cg + p.tc - 1) / p.tc, G = s.groups;
  // Per spatial tile of th x tw: its input loads over all channel tiles; per
  // channel tile of tm: its weight loads over all channel tiles.
  auto x_all = [&](int64_t th, int64_t tw) {
    int64_t r = 0;
    for (auto [tc, n] : cs) r += n * occ(tc * s.rows_in(th, p.row_phases) * x_row_bytes(s, tw));
    return r;
  };
  auto w_all = [&](int64_t tm) {
    int64_t r = 0;
    for (auto [tc, n] : cs) r += n * folds_sum(tm, tc * kk, weight_occ);
    return r;
  };
  int64_t sum_x = 0, sum_w = 0;  // over all row tiles, all channel tiles
  for (const Area& a : rows) sum_x += a.n * x_all(a.h, a.w);
  if (p.resident_input) {  // each row once, in the loads of the tiles that first read it
    sum_x = 0;
    int64_t loaded = 0;
    for (auto [y, h] : row_list) {
      const auto [first, end] = resident_rows_to_load(s, y, h, loaded);
      if (end > first) sum_x += occ(s.cg * (end - first) * s.in.pitch());
      loaded = std::max(loaded, end);
    }
  }
  if (s.in_image >= 0) sum_x = 0;  // the input is on chip already
  for (auto [m, n] : ms) sum_w += n * w_all(m);
  // Loads (schedule.cc): an input tile is reloaded unless the previous
  // iteration had the same (group, row tile, channel tile), weights unless it
  // had the same (group, channel tile, input-channel tile).
  int64_t dram = 0;
  const int64_t first_th = row_list.front().second, first_tw = col_list.front().second;
  const int64_t first_tm = std::min(p.tm, s.mg);
  // Resident weights load once each.
  if (nc > 1) {
    dram += G * (nm * sum_x + (p.resident_weights || p.c_outer ? 1 : nh) * sum_w);
  } else if (p.m_outer) {
    dram += G * ((p.resident_input ? sum_x : nh > 1 ? nm * sum_x : x_all(first_th, first_tw)) + sum_w);
  } else {
    dram += G * (sum_x + (p.resident_weights ? sum_w : nm > 1 ? nh * sum_w : w_all(first_tm)));
  }
  // Per tile: its STORE, and its parameters when the output-channel tile
  // changes from tile to tile (otherwise once per channel tile, below); per
  // iteration: its MATMULs.
  const bool params_per_tile = !p.resident_weights && !p.m_outer && nm > 1;
  for (auto [m, mn] : ms)
    for (const Area& a : rows) {
      const int64_t tiles = G * mn * a.n, n = a.h * a.w;
      if (s.stores_output()) dram += tiles * occ(m * n);  // an output image on chip may not be stored
      if (params_per_tile) dram += tiles * occ(s.params_bytes(m));
      for (auto [tc, cn] : cs)
        streams_ += tiles * cn * folds_sum(m, tc * kk, [&](int64_t, int64_t kc) {
                      return npu::matmul_stream_cycles(n, npu::stored_k(kc, s.sparse), t);
                    });
    }
  if (!params_per_tile)
    for (auto [m, mn] : ms) dram += G * mn * occ(s.params_bytes(m));
  // The first iteration's weights, input and parameters, kept apart.
  const int64_t first_tc = std::min(p.tc, s.cg), ktile = first_tc * kk;
  for (int64_t mf = 0; mf < first_tm; mf += cols)
    for (int64_t kf = 0; kf < ktile; kf += fk)
      first_folds_.push_back(weight_occ(std::min(cols, first_tm - mf), std::min(fk, ktile - kf)));
  first_x_ = s.in_image >= 0 ? 0 : occ(first_tc * s.rows_in(first_th, p.row_phases) * x_row_bytes(s, first_tw));
  first_params_ = occ(s.params_bytes(first_tm));
  int64_t first_w = 0;
  for (int64_t f : first_folds_) first_w += f;
  rest_dram_ = dram - first_w - first_x_ - first_params_;
  // The last tile: the last group's last channel and row tiles.
  const int64_t last_tm = s.mg - (nm - 1) * p.tm, last_n = row_list.back().second * col_list.back().second;
  const int64_t last_mc = last_tm - (last_tm - 1) / cols * cols;
  tail_ = npu::matmul_drain_cycles(last_mc, t) + npu::vector_cycles(last_tm * last_n, t) +
          (s.stores_output() ? occ(last_tm * last_n) + latency_ : 0);
}

int64_t PlanBound::bound(bool prefetched, int64_t skip) const {
  const int64_t folds = static_cast<int64_t>(first_folds_.size());
  if (!prefetched) skip = 0;
  if (prefetched && (skip <= 0 || skip > folds)) skip = folds;
  int64_t first_w = 0;
  for (int64_t f = skip; f < folds; ++f) first_w += first_folds_[f];
  const int64_t first_params = prefetched ? 0 : first_params_;
  const int64_t transfers = rest_dram_ + first_w + first_x_ + first_params;
  const int64_t dram = transfers > 0 ? transfers + latency_ : 0;
  // The first MATMUL waits for the input and parameters, which the load
  // queue issues after the first fold's weights (prefetched: assume 0).
  const int64_t head = prefetched ? 0 : latency_ + (folds > 0 ? first_folds_[0] : 0) + first_x_ + first_params;
  return std::max(dram, head + streams_ + tail_);
}

}  // namespace etch::compiler
