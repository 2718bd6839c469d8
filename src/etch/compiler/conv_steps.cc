// Per iteration: the loads (the first fold's weights, then the input tile and
// the tile's requantization parameters, then the other folds' weights), then
// a PRELOAD and a MATMUL per (output-channel fold, reduction fold), then the
// REQUANT + STORE of the tiles the schedule requantizes there. Dependencies:
// a PRELOAD on its fold's weights, the first MATMUL on the input (the first
// PRELOAD when no weights load), a REQUANT on its tile's MATMULs and on the
// STORE that last read its output slot, a STORE on its REQUANT, a MATMUL
// that starts a tile on the REQUANT that last read its accumulators, and an
// iteration's first load on the compute of the iterations whose slots it
// overwrites. With input-channel tiles outside row tiles (TilePlan::c_outer)
// the next channel tile's weights load early, behind this one's second
// input tile.
#include "etch/compiler/conv_steps.h"

#include <algorithm>

#include "etch/compiler/program_builder.h"
#include "etch/core/error.h"
#include "etch/npu/footprint.h"

namespace etch::compiler {

using npu::Instr;
using F = npu::Field;

namespace {

// Builds the step list iteration by iteration, remembering the steps later
// ones depend on.
class Builder {
 public:
  Builder(const ConvSpec& s, const TilePlan& p, const npu::Target& t, const Schedule& sc, const ConvPlace* place)
      : s_(s),
        p_(p),
        t_(t),
        sc_(sc),
        ins_(s, sc, t, place ? *place : nowhere_),
        with_(place != nullptr),
        out_(with_),
        fk_(fold_k(s, t)),
        S_(sc.out_slots),
        mm_last_(sc.iters.size(), -1),
        rq_last_(sc.iters.size(), -1),
        tile_rq_(sc.tiles.size(), -1),
        tile_store_(sc.tiles.size(), -1),
        tile_mms_(sc.tiles.size()) {
    // Iterations whose compute some load waits for, in order; the load
    // engine waits for each once, at the first load that needs it.
    for (const Iteration& it : sc.iters)
      if (it.wait_iter >= 0) waited_.push_back(it.wait_iter);
    if (!std::is_sorted(waited_.begin(), waited_.end())) std::sort(waited_.begin(), waited_.end());
    waited_.erase(std::unique(waited_.begin(), waited_.end()), waited_.end());
  }

  LayerSteps build(PrefetchMode mode) {
    mode_ = mode;
    // Every fold: a PRELOAD, a MATMUL and its weights (two loads when sparse).
    size_t n = 2 * sc_.tiles.size() + 16;
    for (const Iteration& it : sc_.iters)
      n += 2 + (s_.sparse ? 4 : 3) * fold_count(s_, sc_.tiles[it.tile].tm, it.tc, t_);
    out_.reserve(n, 2 * n);
    if (mode.prefetch) prefetch();
    if (s_.out_image >= 0) halo();
    for (size_t i = 0; i < sc_.iters.size(); ++i) {
      loads(static_cast<int>(i));
      folds(static_cast<int>(i));
      requants(static_cast<int>(i));
    }
    return std::move(out_);
  }

  // The prefetch: background pieces in two token groups (the first fold's
  // weights, whose PRELOAD may start as soon as they are in, then the other
  // folds and the parameters; one group when only one fold is prefetched),
  // and optionally the first PRELOAD.
  LayerSteps prefetch_only() {
    mode_ = {true, true};
    prefetch();
    return std::move(out_);
  }

 private:
  template <class MakeInstr>
  int add(StepKind kind, int round, LayerStep st, std::span<const int> deps, MakeInstr make) {
    st.kind = kind;
    st.round = round;
    if (!with_) return out_.add(st, deps);
    const Instr in = make();
    return out_.add(st, deps, &in);
  }
  int64_t kphys(int64_t k) const { return npu::stored_k(k, s_.sparse); }

  void prefetch() {
    const Iteration& first = sc_.iters.front();
    auto chunks = ins_.weight_loads(first);
    skip_ = p_.prefetched_folds(static_cast<int64_t>(chunks.size()));
    auto add_pieces = [&](const Instr& d, int group) {
      for (Instr piece : ProgramBuilder::split_dma(d, kPrefetchPieceBytes)) {
        piece[F::background] = 1;
        LayerStep st;
        st.prefetch_group = group;
        st.bytes = piece[F::rows] * piece[F::row_bytes] * piece[F::reps];
        pf_last_[group] = add(StepKind::Load, 0, st, {}, [&] { return piece; });
      }
    };
    for (int64_t c = 0; c < skip_; ++c)
      for (const Instr& d : chunks[c]) add_pieces(d, c == 0 ? 0 : 1);
    add_pieces(ins_.param_load(first), skip_ > 1 ? 1 : 0);
    if (mode_.preload) {
      LayerStep st;
      st.prefetch_group = 0;
      st.kphys = kphys(std::min(fk_, first.tc * s_.kk()));
      const int weights[] = {pf_last_[0]};
      add(StepKind::Preload, 0, st, weights, [&] { return ins_.preload(first, 0, 0); });
    }
  }

  // An output image's halo, on the vector unit before the layer's first
  // MATMUL (which waits for the input and weights meanwhile, unless they are
  // on chip and prefetched) and so before every REQUANT; the BARRIER after
  // the layer waits for it.
  void halo() {
    for (const HaloPiece& h : halo_pieces(s_)) {
      LayerStep st;
      st.n = s_.out.c * h.bytes;
      st.waits_for_array = true;
      add(StepKind::Vector, 0, st, {}, [&] { return ins_.halo_fill(h); });
    }
  }

  // The first fold's weights, then the input tile and the parameters, then
  // the other folds' weights (prefetched: the input, then the folds not
  // prefetched). The first load waits for the compute of the iterations
  // whose slots it overwrites (and of earlier waited ones not yet waited for).
  void loads(int i) {
    const Iteration& it = sc_.iters[i];
    const OutTile& o = sc_.tiles[it.tile];
    const bool prefetched = i == 0 && mode_.prefetch;
    deps_.clear();
    for (; next_waited_ < waited_.size() && waited_[next_waited_] <= it.wait_iter; ++next_waited_) {
      const int j = waited_[next_waited_];
      deps_.push_back(mm_last_[j]);
      if (rq_last_[j] >= 0) deps_.push_back(rq_last_[j]);
    }
    int n_loads = 0;
    // The iteration's first load waits for deps_; a later one for `later`.
    auto load = [&](int64_t bytes, auto make, std::span<const int> later = {}) {
      LayerStep st;
      st.bytes = bytes;
      return add(StepKind::Load, i, st, n_loads++ == 0 ? std::span<const int>(deps_) : later, make);
    };
    x_last_ = -1;
    auto x_group = [&] {
      if (it.load_x) x_last_ = load(x_load_bytes(s_, sc_, it), [&] { return ins_.input_load(it); });
      if (it.load_params && !prefetched) x_last_ = load(s_.params_bytes(o.tm), [&] { return ins_.param_load(it); });
    };
    // Each fold's weights of iteration `w` (the prefetched ones are in),
    // into `last`; `after_first` runs after the first fold's, and the first
    // load waits for `first_deps` unless it is the iteration's first.
    auto weight_loads = [&](const Iteration& w, bool pf, std::vector<int>& last, auto after_first,
                            std::span<const int> first_deps = {}) {
      const auto chunks = with_ ? ins_.weight_loads(w) : std::vector<std::vector<Instr>>();
      const int64_t tm = sc_.tiles[w.tile].tm, ktile = w.tc * s_.kk();
      int64_t f = 0;
      for (int64_t mf = 0; mf < tm; mf += t_.cols)
        for (int64_t kf = 0; kf < ktile; kf += fk_, ++f) {
          if (pf && f < skip_) {
            last.push_back(pf_last_[f == 0 ? 0 : 1]);
            continue;
          }
          const int64_t mc = std::min<int64_t>(t_.cols, tm - mf), kc = std::min(fk_, ktile - kf);
          const std::span<const int> wait = last.empty() ? first_deps : std::span<const int>();
          if (s_.sparse) {
            load(
                mc * npu::sparse_value_bytes(kc), [&] { return chunks[f][0]; }, wait);
            last.push_back(load(mc * npu::sparse_meta_bytes(kc), [&] { return chunks[f][1]; }));
          } else {
            last.push_back(load(
                mc * kc, [&] { return chunks[f][0]; }, wait));
          }
          if (f == 0) after_first();
        }
    };
    chunk_last_.clear();
    if (it.load_w && early_for_ == i) {  // loaded during the previous input-channel tile
      chunk_last_ = std::move(early_chunks_);
      x_group();
    } else if (it.load_w) {
      if (prefetched) x_group();
      weight_loads(it, prefetched, chunk_last_, [&] {
        if (!prefetched) x_group();
      });
    } else {
      x_group();
    }
    // Input-channel tiles outside row tiles: the next channel tile's weights
    // load behind this tile's second input tile, once the compute that last
    // read their slot (the channel tile before this one) is done, so they
    // are in before the next channel tile starts.
    const int T = static_cast<int>(sc_.tiles.size()), next = i + T - 1;
    if (p_.c_outer && sc_.slots == 2 && it.tile == 1 && next < static_cast<int>(sc_.iters.size()) &&
        sc_.iters[next].load_w) {
      ETCH_CHECK(n_loads > 0) << s_.name << ": iteration " << i << " loads no input before the next weights";
      early_chunks_.clear();
      std::vector<int> before;  // the last iteration of the channel tile before
      if (i >= 2) before.push_back(mm_last_[i - 2]);
      weight_loads(
          sc_.iters[next], false, early_chunks_, [] {}, before);
      early_for_ = next;
    }
    ETCH_CHECK(deps_.empty() || n_loads > 0) << s_.name << ": iteration " << i << " waits but loads nothing";
  }

  // A PRELOAD (unless the array keeps its weights or the prefetch ran it)
  // and a MATMUL per (output-channel fold, reduction fold).
  void folds(int i) {
    const Iteration& it = sc_.iters[i];
    const OutTile& o = sc_.tiles[it.tile];
    const bool prefetched = i == 0 && mode_.prefetch;
    const int64_t n = o.th * o.tw, ktile = it.tc * s_.kk();
    int64_t f = 0;
    for (int64_t mf = 0; mf < o.tm; mf += t_.cols)
      for (int64_t kf = 0; kf < ktile; kf += fk_, ++f) {
        const int64_t mc = std::min<int64_t>(t_.cols, o.tm - mf), kc = std::min(fk_, ktile - kf);
        const bool first = f == 0, pop_x = first && x_last_ >= 0;
        // Without weights to wait for, the first PRELOAD waits for the input.
        const bool x_on_preload = pop_x && !it.load_w && !it.reuse_array_weights;
        if (!it.reuse_array_weights && !(prefetched && first && mode_.preload)) {
          LayerStep st;
          st.kphys = kphys(kc);
          deps_.clear();
          if (it.load_w) deps_.push_back(chunk_last_[f]);
          if (x_on_preload) deps_.push_back(x_last_);
          add(StepKind::Preload, i, st, deps_, [&] { return ins_.preload(it, mf, kf); });
        }
        LayerStep st;
        st.m = mc;
        st.kphys = kphys(kc);
        st.n = n;
        st.swap = !it.reuse_array_weights;
        deps_.clear();
        if (pop_x && !x_on_preload) deps_.push_back(x_last_);
        if (first && prefetched && skip_ > 1) deps_.push_back(pf_last_[1]);  // the other prefetched folds
        if (it.ci == 0 && kf == 0 && it.tile >= S_) {
          ETCH_CHECK(tile_rq_[it.tile - S_] >= 0) << s_.name << ": accumulator slot reused before its REQUANT";
          deps_.push_back(tile_rq_[it.tile - S_]);
        }
        mm_last_[i] = add(StepKind::Matmul, i, st, deps_, [&] { return ins_.matmul(it, mf, kf); });
        tile_mms_[it.tile].push_back(mm_last_[i]);
      }
  }

  // The REQUANT + STORE of the tiles the schedule requantizes after this
  // iteration's MATMULs (an output image on chip: the REQUANTs alone).
  void requants(int i) {
    for (int rt : sc_.requants(i)) {
      const OutTile& r = sc_.tiles[rt];
      LayerStep v;
      v.n = r.tm * r.tw * requant_rows(s_, r);
      deps_ = std::move(tile_mms_[rt]);
      tile_mms_[rt].clear();
      if (s_.out_image < 0 && rt >= S_) deps_.push_back(tile_store_[rt - S_]);  // its output slot's last reader
      for (int64_t part = 0; part < requant_parts(s_, r); ++part) {
        tile_rq_[rt] = rq_last_[i] = add(StepKind::Vector, i, v, deps_, [&] { return ins_.requant(rt, part); });
        deps_.clear();
      }
      if (!s_.stores_output()) continue;  // the image is the next layer's input only: nothing to store
      LayerStep st;
      st.bytes = r.tm * r.th * r.tw;
      const int requant[] = {tile_rq_[rt]};
      tile_store_[rt] = add(StepKind::Store, i, st, requant, [&] { return ins_.store(rt); });
    }
  }

  const ConvPlace nowhere_;
  const ConvSpec& s_;
  const TilePlan& p_;
  const npu::Target& t_;
  const Schedule& sc_;
  const ConvInstrs ins_;
  const bool with_;
  LayerSteps out_;
  const int64_t fk_;
  const int S_;
  PrefetchMode mode_;
  int pf_last_[2] = {-1, -1};  // the last step of each prefetch group
  int64_t skip_ = 0;           // prefetched folds of the first iteration
  std::vector<int> waited_;
  size_t next_waited_ = 0;
  std::vector<int> mm_last_, rq_last_;  // per iteration: its last MATMUL and REQUANT
  std::vector<int> tile_rq_, tile_store_;
  std::vector<std::vector<int>> tile_mms_;  // per tile: its MATMULs not yet requantized
  std::vector<int> deps_;
  std::vector<int> chunk_last_;    // per fold of the current iteration: its weights are in
  std::vector<int> early_chunks_;  // ... of iteration early_for_, loaded early (TilePlan::c_outer)
  int early_for_ = -1;
  int x_last_ = -1;  // the current iteration's input tile and parameters are in
};

}  // namespace

LayerSteps conv_prefetch_steps(const ConvSpec& s, const TilePlan& p, const npu::Target& t, const Schedule& sc) {
  return Builder(s, p, t, sc, nullptr).prefetch_only();
}

LayerSteps conv_steps(const ConvSpec& s, const TilePlan& p, const npu::Target& t, const Schedule& sc, PrefetchMode mode,
                      const ConvPlace* place) {
  return Builder(s, p, t, sc, place).build(mode);
}

}  // namespace etch::compiler
