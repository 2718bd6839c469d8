// Per iteration: the loads (the first fold's weights, then the input tile and
// the tile's requantization parameters, then the other folds' weights), then
// a PRELOAD and a MATMUL per (output-channel fold, reduction fold), then the
// REQUANT + STORE of the tiles the schedule requantizes there. Dependencies:
// a PRELOAD on its fold's weights, the first MATMUL on the input (the first
// PRELOAD when no weights load), a REQUANT on its tile's MATMULs and on the
// STORE that last read its output slot, a STORE on its REQUANT, a MATMUL
// that starts a tile on the REQUANT that last read its accumulators, and an
// iteration's first load on the compute of the iterations whose slots it
// overwrites.
#include "etch/compiler/conv_steps.h"

#include <algorithm>

#include "etch/compiler/program_builder.h"
#include "etch/core/error.h"
#include "etch/npu/footprint.h"

namespace etch::compiler {

using npu::Instr;
using F = npu::Field;

namespace {

// The prefetch: background pieces in two token groups (the first fold's
// weights, whose PRELOAD may start as soon as they are in, then the other
// folds and the parameters; one group when only one fold is prefetched),
// and optionally the first PRELOAD. Returns how many folds it loads; sets
// the last step of each group.
int64_t add_prefetch(LayerSteps& out, const ConvSpec& s, const TilePlan& p, const npu::Target& t, const Schedule& sc,
                     const ConvInstrs& ins, bool preload, int pf_last[2]) {
  const Iteration& first = sc.iters.front();
  auto chunks = ins.weight_loads(first);
  const int64_t skip = p.prefetched_folds(static_cast<int64_t>(chunks.size()));
  auto add_pieces = [&](const Instr& d, int group) {
    for (Instr piece : ProgramBuilder::split_dma(d, kPrefetchPieceBytes)) {
      piece[F::background] = 1;
      LayerStep st;
      st.kind = StepKind::Load;
      st.prefetch_group = group;
      st.bytes = piece[F::rows] * piece[F::row_bytes] * piece[F::reps];
      pf_last[group] = out.add(st, {}, &piece);
    }
  };
  for (int64_t c = 0; c < skip; ++c)
    for (const Instr& d : chunks[c]) add_pieces(d, c == 0 ? 0 : 1);
  add_pieces(ins.param_load(first), skip > 1 ? 1 : 0);
  if (preload) {
    LayerStep st;
    st.kind = StepKind::Preload;
    st.prefetch_group = 0;
    const int64_t k = std::min(fold_k(s, t), first.tc * s.kk());
    st.kphys = s.sparse ? k / 2 : k;
    const Instr pl = ins.preload(first, 0, 0);
    const int weights[] = {pf_last[0]};
    out.add(st, weights, &pl);
  }
  return skip;
}

}  // namespace

LayerSteps conv_prefetch_steps(const ConvSpec& s, const TilePlan& p, const npu::Target& t, const Schedule& sc) {
  const ConvPlace nowhere;
  const ConvInstrs ins(s, sc, t, nowhere);
  LayerSteps out(false);
  int pf_last[2] = {-1, -1};
  add_prefetch(out, s, p, t, sc, ins, true, pf_last);
  return out;
}

LayerSteps conv_steps(const ConvSpec& s, const TilePlan& p, const npu::Target& t, const Schedule& sc, PrefetchMode mode,
                      const ConvPlace* place) {
  const ConvPlace nowhere;
  const ConvInstrs ins(s, sc, t, place ? *place : nowhere);
  const bool with = place != nullptr;
  LayerSteps out(with);
  auto add = [&](const LayerStep& st, std::span<const int> deps, auto make) {
    if (!with) return out.add(st, deps);
    const Instr in = make();
    return out.add(st, deps, &in);
  };
  auto step = [](StepKind k, int round) {
    LayerStep st;
    st.kind = k;
    st.round = round;
    return st;
  };
  auto kphys = [&](int64_t k) { return s.sparse ? k / 2 : k; };  // 2:4: half the weights are stored
  const int64_t fk = fold_k(s, t), kk = s.kk();
  const int T = static_cast<int>(sc.tiles.size()), S = sc.out_slots;

  {  // every fold: a PRELOAD, a MATMUL and its weights (two loads when sparse)
    size_t n = 2 * sc.tiles.size() + 16;
    for (const Iteration& it : sc.iters) n += 2 + (s.sparse ? 4 : 3) * fold_count(s, sc.tiles[it.tile].tm, it.tc, t);
    out.reserve(n, 2 * n);
  }
  int pf_last[2] = {-1, -1};
  int64_t skip = 0;  // prefetched folds of the first iteration
  if (mode.prefetch) skip = add_prefetch(out, s, p, t, sc, ins, mode.preload, pf_last);

  // Iterations whose compute some load waits for, in order; the load engine
  // waits for each once, at the first load that needs it or a later one.
  std::vector<int> waited;
  for (const Iteration& it : sc.iters)
    if (it.wait_iter >= 0) waited.push_back(it.wait_iter);
  std::sort(waited.begin(), waited.end());
  waited.erase(std::unique(waited.begin(), waited.end()), waited.end());
  size_t next_waited = 0;

  std::vector<int> mm_last(sc.iters.size(), -1), rq_last(sc.iters.size(), -1);
  std::vector<int> tile_rq(T, -1), tile_store(T, -1);
  std::vector<std::vector<int>> tile_mms(T);
  std::vector<int> deps, chunk_last;  // chunk_last, per fold: its weights are in
  for (size_t i = 0; i < sc.iters.size(); ++i) {
    const Iteration& it = sc.iters[i];
    const OutTile& o = sc.tiles[it.tile];
    const int round = static_cast<int>(i);
    const bool prefetched = i == 0 && mode.prefetch;
    const int64_t skip_here = prefetched ? skip : 0;
    deps.clear();
    for (; next_waited < waited.size() && waited[next_waited] <= it.wait_iter; ++next_waited) {
      const int j = waited[next_waited];
      deps.push_back(mm_last[j]);
      if (rq_last[j] >= 0) deps.push_back(rq_last[j]);
    }
    int n_loads = 0;
    auto load = [&](int64_t bytes, auto make) {
      LayerStep st = step(StepKind::Load, round);
      st.bytes = bytes;
      return add(st, n_loads++ == 0 ? std::span<const int>(deps) : std::span<const int>(), make);
    };
    int x_last = -1;  // the input tile and the parameters
    auto x_group = [&] {
      if (it.load_x) x_last = load(it.tc * s.rows_in(o.th) * s.in.pitch(), [&] { return ins.input_load(it); });
      if (it.load_params && !prefetched)
        x_last = load(npu::requant_params_bytes(o.tm), [&] { return ins.param_load(it); });
    };
    chunk_last.clear();
    if (it.load_w) {
      const auto chunks = with ? ins.weight_loads(it) : std::vector<std::vector<Instr>>();
      if (prefetched) x_group();
      int64_t f = 0;
      for (int64_t mf = 0; mf < o.tm; mf += t.cols)
        for (int64_t kf = 0; kf < it.tc * kk; kf += fk, ++f) {
          if (f < skip_here) {
            chunk_last.push_back(pf_last[f == 0 ? 0 : 1]);
            continue;
          }
          const int64_t mc = std::min<int64_t>(t.cols, o.tm - mf), kc = std::min(fk, it.tc * kk - kf);
          if (s.sparse) {
            load(mc * npu::sparse_value_bytes(kc), [&] { return chunks[f][0]; });
            chunk_last.push_back(load(mc * npu::sparse_meta_bytes(kc), [&] { return chunks[f][1]; }));
          } else {
            chunk_last.push_back(load(mc * kc, [&] { return chunks[f][0]; }));
          }
          if (!prefetched && f == 0) x_group();
        }
    } else {
      x_group();
    }
    ETCH_CHECK(deps.empty() || n_loads > 0) << s.name << ": iteration " << i << " waits but loads nothing";

    const int64_t n = o.th * s.ow, ktile = it.tc * kk;
    int64_t f = 0;
    for (int64_t mf = 0; mf < o.tm; mf += t.cols)
      for (int64_t kf = 0; kf < ktile; kf += fk, ++f) {
        const int64_t mc = std::min<int64_t>(t.cols, o.tm - mf), kc = std::min(fk, ktile - kf);
        const bool first = f == 0, pop_x = first && x_last >= 0;
        // Without weights to wait for, the first PRELOAD waits for the input.
        const bool x_on_preload = pop_x && !it.load_w && !it.reuse_array_weights;
        if (!it.reuse_array_weights && !(prefetched && first && mode.preload)) {
          LayerStep st = step(StepKind::Preload, round);
          st.kphys = kphys(kc);
          deps.clear();
          if (it.load_w) deps.push_back(chunk_last[f]);
          if (x_on_preload) deps.push_back(x_last);
          add(st, deps, [&] { return ins.preload(it, mf, kf); });
        }
        LayerStep st = step(StepKind::Matmul, round);
        st.m = mc;
        st.kphys = kphys(kc);
        st.n = n;
        st.swap = !it.reuse_array_weights;
        deps.clear();
        if (pop_x && !x_on_preload) deps.push_back(x_last);
        if (first && skip_here > 1) deps.push_back(pf_last[1]);  // the other prefetched folds
        if (it.ci == 0 && kf == 0 && it.tile >= S) {
          ETCH_CHECK(tile_rq[it.tile - S] >= 0) << s.name << ": accumulator slot reused before its REQUANT";
          deps.push_back(tile_rq[it.tile - S]);
        }
        mm_last[i] = add(st, deps, [&] { return ins.matmul(it, mf, kf); });
        tile_mms[it.tile].push_back(mm_last[i]);
      }

    for (int rt : it.requants) {
      const OutTile& r = sc.tiles[rt];
      LayerStep v = step(StepKind::Vector, round);
      v.n = r.tm * r.th * s.ow;
      deps = std::move(tile_mms[rt]);
      tile_mms[rt].clear();
      if (rt >= S) deps.push_back(tile_store[rt - S]);
      tile_rq[rt] = rq_last[i] = add(v, deps, [&] { return ins.requant(rt); });
      LayerStep st = step(StepKind::Store, round);
      st.bytes = r.tm * r.th * s.ow;
      const int requant[] = {tile_rq[rt]};
      tile_store[rt] = add(st, requant, [&] { return ins.store(rt); });
    }
  }
  return out;
}

}  // namespace etch::compiler
