#include "etch/compiler/cost_model.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <vector>

#include "etch/compiler/emit_conv.h"

namespace etch::compiler {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// The shared DRAM channel. Transfers are visited in program order, but the
// simulator grants the channel in time order (the load engine runs ahead of
// the stores), so a transfer takes the earliest free gap at or after it is ready.
struct Dram {
  const npu::Target& t;
  std::map<int64_t, int64_t> busy;  // start -> end
  int64_t occ(int64_t bytes) const { return dram_occupancy(bytes, t); }
  // Where a transfer ready at `ready` would start.
  int64_t probe(int64_t ready, int64_t len) const {
    int64_t at = ready;
    auto it = busy.upper_bound(at);
    if (it != busy.begin() && std::prev(it)->second > at) at = std::prev(it)->second;
    while (it != busy.end() && it->first < at + len) {
      at = std::max(at, it->second);
      ++it;
    }
    return at;
  }
  int64_t reserve(int64_t ready, int64_t len) {
    const int64_t at = probe(ready, len);
    busy[at] = at + len;
    return at;
  }
};

}  // namespace

int64_t dram_occupancy(int64_t bytes, const npu::Target& t) {
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(bytes / t.dram_bytes_per_cycle)));
}

Prefetch prefetch_of(const ConvSpec& s, const TilePlan& p, const npu::Target& t) {
  const Schedule sc = make_schedule(s, p, t);
  const Iteration& it = sc.iters.front();
  Prefetch pf;
  auto chunks = weight_loads(s, sc, it, t, {});
  chunks.resize(p.prefetched_folds(static_cast<int64_t>(chunks.size())));
  for (const auto& group : prefetch_loads(chunks, param_load(0, 0, sc.tiles[it.tile].tm))) {
    for (const npu::Instr& d : group)
      pf.transfers.push_back(d[npu::Field::rows] * d[npu::Field::row_bytes] * d[npu::Field::reps]);
    if (pf.first_group == 0) pf.first_group = pf.transfers.size();
  }
  const int64_t k0 = std::min(fold_k(s, t), it.tc * s.kk());
  pf.preload = t.dataflow == npu::Dataflow::WeightStationary ? (s.sparse ? k0 / 2 : k0) : 1;
  return pf;
}

int64_t predict_conv_cycles(const ConvSpec& s, const TilePlan& p, const npu::Target& t) {
  return conv_timing(s, p, t).end;
}

ConvTiming conv_timing(const ConvSpec& s, const TilePlan& p, const npu::Target& t, const PrefetchArrival& in,
                       const Prefetch& trailing) {
  const Schedule sc = make_schedule(s, p, t);
  const bool ws = t.dataflow == npu::Dataflow::WeightStationary;
  const int64_t fk = fold_k(s, t), kk = s.kk();
  const int T = static_cast<int>(sc.tiles.size());
  Dram dram{t, {}};
  int64_t load_t = 0, comp_t = 0, store_t = 0, end = 0;
  int64_t array_free = 0, preload_done = 0, shadow_free = 0, vector_free = 0;
  std::vector<int64_t> c2l(sc.iters.size(), 0), l2c(sc.iters.size(), 0);
  std::vector<char> waited(sc.iters.size(), 0);  // iterations whose compute later loads wait for
  for (const Iteration& it : sc.iters)
    if (it.wait_iter >= 0) waited[it.wait_iter] = 1;
  int popped_through = -1;
  std::vector<int64_t> acc_done(T, 0), rq_done(T, 0), s2c(T, 0);
  std::vector<int64_t> acc_read_done(sc.out_slots, 0);  // per accumulator slot
  std::vector<int> pending;                             // stores not yet given the channel
  auto dma = [&](int64_t bytes, int64_t& engine_t, int64_t ready) {
    const int64_t o = dram.occ(bytes);
    const int64_t start = dram.reserve(std::max(engine_t, ready), o);
    engine_t = start + o;
    end = std::max(end, start + o + t.dram_latency_cycles);
    return start;
  };
  // The next layer's prefetch: background pieces behind this layer's last
  // load; a piece takes the channel only if it can start before a store can
  // (until_ready < 0: no store waits).
  std::deque<int64_t> bg;
  size_t bg_done = 0;
  int64_t trailing_ready = 0, trailing_first_ready = 0;
  auto background_before = [&](int64_t until_ready, int64_t until_len) {
    while (!bg.empty()) {
      const int64_t oc = dram.occ(bg.front());
      const int64_t at = dram.probe(load_t, oc);
      if (until_ready >= 0 && at >= dram.probe(until_ready, until_len)) break;
      dram.reserve(load_t, oc);
      load_t = at + oc;
      trailing_ready = at + oc + t.dram_latency_cycles;
      if (++bg_done == trailing.first_group) trailing_first_ready = trailing_ready;
      bg.pop_front();
    }
  };
  // Gives the DRAM channel to the pending stores that `due(tile)` selects.
  auto flush_if = [&](auto due) {
    std::vector<int> keep;
    for (int ti : pending) {
      if (due(ti)) {
        const OutTile& o = sc.tiles[ti];
        const int64_t bytes = o.tm * o.th * s.ow;
        background_before(std::max(store_t, rq_done[ti]), dram.occ(bytes));
        s2c[ti] = dma(bytes, store_t, rq_done[ti]) + dram.occ(bytes);
      } else {
        keep.push_back(ti);
      }
    }
    pending = keep;
  };
  // Stores are granted the channel after the next iteration's loads that can
  // start no later than they can (the simulator serves the earliest start,
  // the load engine first on ties): while the channel is busy past both
  // requests, the load goes first.
  auto flush_stores = [&](int64_t loads_ready) {
    flush_if([&](int ti) {
      const int64_t req = std::max(store_t, rq_done[ti]), free = dram.probe(std::min(req, loads_ready), 1);
      return std::max(req, free) < std::max(loads_ready, free);
    });
  };
  auto flush_through = [&](int last) { flush_if([&](int ti) { return ti <= last; }); };
  auto requant_store = [&](int ti, int64_t& last_free) {
    const OutTile& o = sc.tiles[ti];
    const int64_t n = o.th * s.ow;
    int64_t start = std::max({comp_t, vector_free, acc_done[ti]});
    if (ti >= sc.out_slots) {
      flush_through(ti - sc.out_slots);  // its timing is needed now
      start = std::max(start, s2c[ti - sc.out_slots]);
    }
    const int64_t dur = ceil_div(o.tm * n, t.vector_lanes) + 2;
    vector_free = rq_done[ti] = start + dur;
    acc_read_done[o.slot] = rq_done[ti];
    comp_t = start + 1;
    last_free = rq_done[ti];
    pending.push_back(ti);
  };

  const size_t last_iter = sc.iters.size() - 1;
  for (size_t i = 0; i < sc.iters.size(); ++i) {
    const Iteration& it = sc.iters[i];
    const OutTile& o = sc.tiles[it.tile];
    // The load engine pops the tokens of every waited-for iteration up to
    // wait_iter that it has not popped yet, in order, and waits for each.
    int64_t ready = 0;
    for (; popped_through < it.wait_iter; ++popped_through)
      if (waited[popped_through + 1]) ready = std::max(ready, c2l[popped_through + 1]);
    flush_stores(std::max(load_t, ready) + (it.load_x || it.load_w || it.load_params ? 0 : (int64_t{1} << 62)));
    int64_t last_done = -1;
    auto load = [&](int64_t b) {
      const int64_t st = dma(b, load_t, ready);
      last_done = st + dram.occ(b) + t.dram_latency_cycles;
    };
    // The emitter's order: first fold's weights, input and parameters, the
    // other folds (prefetched: input, then the folds not prefetched).
    std::vector<int64_t> chunk_ready;  // per fold, when its weights are in
    int64_t x_ready = -1;              // when the input/parameter group is in (-1: none)
    const bool prefetched = i == 0 && in.prefetched;
    auto load_x_group = [&] {
      if (it.load_x) load(it.tc * s.rows_in(o.th) * s.in.pitch());
      if (it.load_params && !prefetched) load(9 * o.tm);
      if (it.load_x || (it.load_params && !prefetched)) x_ready = last_done;
    };
    const int64_t ktile_l = it.tc * kk;
    int64_t skip = 0;  // prefetched folds
    if (it.load_w) {
      skip = prefetched ? p.prefetched_folds(fold_count(s, o.tm, it.tc, t)) : 0;
      if (prefetched) load_x_group();
      for (int64_t mf = 0; mf < o.tm; mf += t.cols)
        for (int64_t kf = 0; kf < ktile_l; kf += fk) {
          const int64_t mc = std::min<int64_t>(t.cols, o.tm - mf), kc = std::min(fk, ktile_l - kf);
          if (static_cast<int64_t>(chunk_ready.size()) < skip) {
            chunk_ready.push_back(chunk_ready.empty() ? in.first_ready : in.ready);
            continue;
          }
          if (s.sparse) {
            load(mc * kc / 2);
            load(mc * kc / 4);
          } else {
            load(mc * kc);
          }
          chunk_ready.push_back(last_done);
          if (!prefetched && chunk_ready.size() == 1) load_x_group();
        }
    } else {
      load_x_group();
    }
    if (i == last_iter) bg.assign(trailing.transfers.begin(), trailing.transfers.end());
    // Compute: one preload + matmul per fold.
    const int64_t n = o.th * s.ow, ktile = it.tc * kk;
    int64_t last_free = 0;
    bool first = true;
    size_t fold = 0;
    for (int64_t mf = 0; mf < o.tm; mf += t.cols)
      for (int64_t kf = 0; kf < ktile; kf += fk) {
        const int64_t fill = t.rows + std::min<int64_t>(t.cols, o.tm - mf) - 1;  // psums leave at the bottom
        const int64_t kc = std::min(fk, ktile - kf), kphys = s.sparse ? kc / 2 : kc;
        const bool pop_x = first && x_ready >= 0, reuse = it.reuse_array_weights;
        int64_t ms = std::max(comp_t, array_free);
        if (prefetched && first && in.preloaded) {
          ms = std::max(ms, in.preload_done);  // its PRELOAD was issued before the layer's BARRIER
        } else if (!reuse) {
          int64_t ps = std::max(comp_t, shadow_free);
          if (pop_x && !it.load_w) ps = std::max(ps, x_ready);
          if (it.load_w) ps = std::max(ps, chunk_ready[fold]);
          const int64_t pd = ws ? kphys : 1;
          preload_done = shadow_free = ps + pd;
          comp_t = ps + 1;
          ms = std::max({comp_t, array_free, preload_done});
        }
        if (first && skip > 1) {  // a SYNC pops the prefetch's second token
          comp_t = std::max(comp_t, in.ready);
          ms = std::max(ms, comp_t);
        }
        if (pop_x && (it.load_w || reuse)) ms = std::max(ms, x_ready);
        ++fold;
        first = false;
        if (it.ci == 0 && kf == 0) ms = std::max(ms, acc_read_done[o.slot]);
        const int64_t stream = ws ? n : ceil_div(n, t.rows) * kphys;
        if (!reuse) shadow_free = ms;
        array_free = ms + stream;
        acc_done[it.tile] = std::max(acc_done[it.tile], ms + stream + fill);
        end = std::max(end, ms + stream + fill);
        comp_t = ms + 1;
        last_free = ms + stream;
      }
    // Loads waiting for this iteration wait for its array reads and its requantizations.
    const int64_t array_done = last_free;
    for (int rt : it.requants) requant_store(rt, last_free);
    c2l[i] = std::max(array_done, last_free);
  }
  ConvTiming out;
  flush_stores(int64_t{1} << 62);
  for (int64_t x : {comp_t, store_t, array_free, vector_free}) end = std::max(end, x);
  for (int ti = 0; ti < T; ++ti) end = std::max(end, rq_done[ti]);
  if (trailing.transfers.empty()) end = std::max(end, load_t);
  background_before(-1, 0);
  out.end = end;
  out.release = std::max(end, load_t);
  out.trailing_ready = trailing_ready;
  out.trailing_first_ready = trailing_first_ready;
  // The next layer's first PRELOAD is this layer's last compute instruction.
  if (trailing.preload > 0) {
    const int64_t ps = std::max({comp_t, shadow_free, trailing_first_ready});
    out.trailing_preload_done = ps + trailing.preload;
    out.release = std::max(out.release, ps + 1);
  }
  return out;
}

ConvBounds conv_bounds(const ConvSpec& s, const npu::Target& t) {
  ConvBounds b;
  const int64_t fk = fold_k(s, t);
  const int64_t folds = s.groups * ceil_div(s.mg, t.cols) * ceil_div(s.kg(), fk);
  const int64_t n = s.oh * s.ow;
  const int64_t per_fold =
      t.dataflow == npu::Dataflow::WeightStationary ? n : ceil_div(n, t.rows) * std::min(fk, s.kg());
  // Plus one array fill and drain: the first fold's weights shifted in
  // (weight-stationary) and the partial sums' way out.
  const int64_t weight_fill =
      t.dataflow == npu::Dataflow::WeightStationary ? std::min(fk, s.kg()) / (s.sparse ? 2 : 1) : 0;
  b.compute_cycles = folds * per_fold + weight_fill + t.rows + std::min<int64_t>(s.mg, t.cols) - 1;
  const int64_t M = s.groups * s.mg;
  const int64_t wbytes = s.sparse ? M * s.kg() * 3 / 4 : M * s.kg();
  b.dram_bytes = wbytes + 9 * M + s.groups * s.cg * s.h * s.w + M * s.oh * s.ow;
  b.dram_cycles = static_cast<int64_t>(std::ceil(b.dram_bytes / t.dram_bytes_per_cycle));
  return b;
}

}  // namespace etch::compiler
