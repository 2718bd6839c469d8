#include "etch/compiler/mapper.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "etch/compiler/cost_model.h"
#include "etch/compiler/layer_does_not_fit.h"
#include "etch/compiler/plan_bound.h"
#include "etch/compiler/schedule.h"
#include "etch/core/error.h"
#include "etch/core/thread_pool.h"
#include "etch/npu/footprint.h"

namespace etch::compiler {
namespace {

// ceil(n / j) for j = 1..n: every distinct tile count's largest tile.
std::vector<int64_t> tile_sizes(int64_t n, int64_t limit = 48) {
  std::set<int64_t> s;
  for (int64_t j = 1; j <= n && static_cast<int64_t>(s.size()) < limit; ++j) s.insert((n + j - 1) / j);
  s.insert(1);
  return {s.rbegin(), s.rend()};  // largest first
}

// Input-channel tiles: every distinct tile count's largest tile (the first
// few), and tiles that leave a short last iteration (3/4 of the channels, and
// whole folds of the array's rows), whose few weights load late without
// holding the array up for long.
std::vector<int64_t> channel_tiles(const ConvSpec& s, const npu::Target& t) {
  std::vector<int64_t> v = tile_sizes(s.cg, 8);
  std::set<int64_t> extra{3 * s.cg / 4};
  for (int64_t j = 1; j <= 4; ++j) extra.insert(j * fold_k(s, t) / s.kk());
  for (int64_t c : extra)
    if (c > 0 && c < s.cg && std::find(v.begin(), v.end(), c) == v.end()) v.push_back(c);
  return v;
}

// Output-row tiles: every distinct tile count's largest tile (the first
// fourteen: 128, 64, 43, ... 9 for 128 rows), and when the input rows of
// neighbouring tiles overlap (a kernel taller than its stride) also the small
// heights below them (2 to 8), which are what a layer with wide rows can
// afford: a one-row tile of a stride-2 3x3 conv reads three input rows for
// one output row, a four-row tile nine for four.
std::vector<int64_t> row_tile_heights(const ConvSpec& s, int64_t rows) {
  std::vector<int64_t> v = tile_sizes(rows, 14);
  if (s.kh <= s.sh) return v;
  for (int64_t h = 8; h >= 2; --h)
    if (h < rows && std::find(v.begin(), v.end(), h) == v.end()) v.insert(v.end() - 1, h);  // before the 1
  return v;
}

std::vector<int64_t> m_sizes(int64_t mg, int cols) {
  std::set<int64_t> s;
  for (int64_t m = cols; m < mg; m += cols) s.insert(m);
  s.insert(mg);
  for (int64_t v : tile_sizes(std::min<int64_t>(mg, cols), 8)) s.insert(v);
  return {s.rbegin(), s.rend()};
}

// Output columns per tile: the full width (0), and for a layer too wide for
// a full-width row of accumulators for the array's columns to fit three
// times (two to double-buffer, one to run ahead), half of it.
std::vector<int64_t> width_tiles(const ConvSpec& s, const npu::Target& t) {
  const int64_t row_entries = std::min<int64_t>(s.mg, t.cols) * s.ow;
  if (s.is_gemm || s.ow < 2 || 3 * row_entries * npu::kAccumulatorEntryBytes <= t.accumulator_buffer_bytes) return {0};
  return {0, (s.ow + 1) / 2};
}

// Adds `p` with resident weights when that changes what loads and it fits:
// weights that a loop over row tiles (H>M) or input-channel tiles would load
// again.
void with_resident_weights(const ConvSpec& s, TilePlan p, const npu::Target& t, std::vector<TilePlan>& plans) {
  const bool reloads = s.cg > p.tc || (!p.m_outer && s.mg > p.tm);
  if (!reloads) return;
  p.resident_weights = true;
  if (!plan_overflow(s, p, t)) plans.push_back(p);
}

// Adds `p` with a resident input (and that with resident weights) when that
// loads less and fits: row tiles whose input rows overlap (a kernel taller
// than its stride), or an M>H loop that loads every row tile again for each
// output-channel tile.
void with_resident_input(const ConvSpec& s, TilePlan p, const npu::Target& t, std::vector<TilePlan>& plans) {
  if (s.groups != 1 || p.tc < s.cg || p.tw > 0 || p.row_phases || p.th >= s.oh) return;
  if (s.kh <= s.sh && !(p.m_outer && s.mg > p.tm)) return;
  p.resident_input = true;
  if (plan_overflow(s, p, t)) return;
  plans.push_back(p);
  // Resident weights load each tile's parameters once too, and their loads
  // then wait for no requantization.
  p.resident_weights = true;
  if (!plan_overflow(s, p, t)) plans.push_back(p);
}

// Adds `p` with input-channel tiles outside row tiles (TilePlan::c_outer)
// when that is a different loop: one group, one output-channel tile, several
// input-channel and row tiles, all row tiles' accumulators fitting at once.
void with_channels_outer(const ConvSpec& s, TilePlan p, const npu::Target& t, std::vector<TilePlan>& plans) {
  if (s.groups != 1 || p.tm < s.mg || p.tc >= s.cg || p.th >= s.oh || p.resident_input || p.resident_weights) return;
  p.c_outer = true;
  if (!plan_overflow(s, p, t)) plans.push_back(p);
}

// An input on chip (ConvSpec::in_image) is read as a resident input: `p`
// when it can be (one input-channel tile, whole rows, whole row tiles) and
// fits, also with resident weights.
void on_chip_input_plans(const ConvSpec& s, TilePlan p, const npu::Target& t, std::vector<TilePlan>& plans) {
  if (p.tc < s.cg || p.tw > 0 || p.row_phases) return;
  p.resident_input = true;
  if (plan_overflow(s, p, t)) return;
  plans.push_back(p);
  with_resident_weights(s, p, t, plans);
}

}  // namespace

TilePlan minimal_plan(const ConvSpec& s) {
  TilePlan p;
  p.tm = 1;
  p.resident_input = s.in_image >= 0;
  p.tc = s.sparse || p.resident_input ? s.cg : 1;
  p.th = 1;
  p.double_buffer = false;
  return p;
}

void require_minimal_tile(const ConvSpec& s, const npu::Target& t) {
  int64_t need = 0, have = 0;
  if (const char* b = plan_overflow(s, minimal_plan(s), t, &need, &have))
    throw LayerDoesNotFit(
        fmt::format("layer '{}' does not fit target '{}': the {} ({} bytes) cannot hold one minimal tile "
                    "(1 output channel, 1 input channel, 1 output row of {} pixels: {} bytes)",
                    s.name, t.name, b, have, s.ow, need));
}

TilePlan naive_plan(const ConvSpec& s, const npu::Target& t) {
  TilePlan p;
  p.double_buffer = false;
  p.m_outer = true;
  p.resident_input = s.in_image >= 0;  // an input on chip is resident, all channels in one tile
  const std::vector<int64_t> ms = m_sizes(s.mg, t.cols);
  const std::vector<int64_t> cs = s.sparse || p.resident_input ? std::vector<int64_t>{s.cg} : tile_sizes(s.cg, 1 << 20);
  const std::vector<int64_t> hs = tile_sizes(s.oh, 1 << 20);
  for (int64_t tm : ms)
    for (int64_t tc : cs)
      for (int64_t th : hs) {
        p.tm = tm;
        p.tc = tc;
        p.th = th;
        if (!plan_overflow(s, p, t)) {
          p.predicted_cycles = predict_conv_cycles(s, p, t);
          return p;
        }
      }
  require_minimal_tile(s, t);
  ETCH_CHECK(false) << "no naive plan for " << s.name;
  return p;
}

namespace {

// What the search knows of one candidate plan: its lower bound, its
// standing-alone prediction once timed (-1: not yet; the baseline's comes
// timed already, and is counted when first used), and its schedule once
// made, which every variant's timing walks.
struct Candidate {
  const PlanBound& bound;
  int64_t alone = -1;
  bool counted = false;
  std::optional<Schedule> schedule;
  const Schedule& schedule_of(const ConvSpec& s, const TilePlan& p, const npu::Target& t) {
    if (!schedule) schedule = make_schedule(s, p, t);
    return *schedule;
  }
};

// What many candidates share, computed once for each: the previous layer's
// timing with a given prefetch behind it, and the prefetch of a plan, which
// depends only on its first iteration's output and input channels and how
// many of its folds are prefetched (its transfers and first PRELOAD).
struct PrefetchMemo {
  // [0]: behind the previous layer; [1]: behind the one before it.
  std::map<Prefetch, LayerTiming> prev_timings[2];
  const LayerTiming& prev_timing(const PrevLayer& prev, const npu::Target& t, const Prefetch& pf, SearchStats& stats,
                                 bool early = false) {
    auto& timings = prev_timings[early ? 1 : 0];
    auto found = timings.find(pf);
    if (found != timings.end()) return found->second;
    ++stats.timed;
    return timings.emplace(pf, time_steps(prev.steps, t, prev.in, pf)).first->second;
  }
  std::map<std::array<int64_t, 3>, Prefetch> prefetches;
  const Prefetch& prefetch(const ConvSpec& s, const TilePlan& p, const npu::Target& t) {
    const int64_t tm = std::min(p.tm, s.mg), tc = std::min(p.tc, s.cg);
    const std::array<int64_t, 3> key{tm, tc, p.prefetched_folds(fold_count(s, tm, tc, t))};
    auto it = prefetches.find(key);
    if (it == prefetches.end()) it = prefetches.emplace(key, prefetch_of(s, p, t)).first;
    return it->second;
  }
};

// Every option (a candidate plan standing alone or in one prefetched variant)
// has a key: its position in the candidates' order. The search keeps the
// option of least cost, the least key among equal costs, so that splitting
// the candidates between threads cannot change the choice: an option is
// skipped only when its lower bound shows that it cannot win against an
// option some thread has found (cost >= bound > best, or bound == best and a
// key after the best's).
// Per candidate: alone, then <= 7 fold counts x with/without PRELOAD behind
// the previous layer (1..14), then <= 7 behind the one before it (16..22).
constexpr int64_t kVariants = 32;

// The best (cost, key) any thread has found, for cutting.
struct SharedBest {
  std::mutex mu;
  int64_t score = std::numeric_limits<int64_t>::max(), key = std::numeric_limits<int64_t>::max();
};

bool beats(int64_t cost, int64_t key, int64_t best_cost, int64_t best_key) {
  return cost < best_cost || (cost == best_cost && key < best_key);
}

// One thread's share of the search.
struct Search {
  PlanChoice best;
  int64_t best_key = std::numeric_limits<int64_t>::max();
  PrefetchMemo memo;
  SharedBest* shared = nullptr;
  // Could an option with this lower bound and key still win?
  bool could_win(int64_t lower_bound, int64_t key) {
    if (!beats(lower_bound, key, best.score, best_key)) return false;
    std::lock_guard<std::mutex> lock(shared->mu);
    return beats(lower_bound, key, shared->score, shared->key);
  }
  // Makes the option this thread's best if it wins, starting from a fresh
  // choice but keeping the search's counts; returns whether it did.
  bool take(const TilePlan& p, int64_t cost, int64_t key) {
    if (!beats(cost, key, best.score, best_key)) return false;
    const SearchStats stats = best.stats;
    best = PlanChoice{};
    best.stats = stats;
    best.score = cost;
    best.plan = p;
    best_key = key;
    std::lock_guard<std::mutex> lock(shared->mu);
    if (beats(cost, key, shared->score, shared->key)) shared->score = cost, shared->key = key;
    return true;
  }
};

int64_t alone_cycles(const ConvSpec& s, const TilePlan& p, const npu::Target& t, Candidate& c, SearchStats& stats) {
  if (c.alone < 0) c.alone = conv_timing(s, p, t, c.schedule_of(s, p, t), {}).end;
  if (!c.counted) ++stats.timed;
  c.counted = true;
  return c.alone;
}

// The layers before this one, as a prefetch trails them: `prev`, or with
// `before`, the conv/gemm layer before prev (a vector-unit layer, which then
// starts once the prefetch is in and runs as it would alone).
struct Behind {
  const PrevLayer& prev;
  const PrevLayer* before = nullptr;
  // Their end without the prefetch, from the first one's start.
  int64_t end() const { return before ? before->end + prev.end : prev.end; }
};

// Scores `p` with its first p.prefetch_folds folds (0: all) prefetched
// behind `behind` at weight-buffer offset `base`, with and without the first
// PRELOAD (keys `key` and `key + 1`; only without when reaching back). Every
// timing that cannot win (by the plan's lower bound) is skipped.
void score_prefetched(const ConvSpec& s, TilePlan p, const npu::Target& t, const Behind& behind, Candidate& c,
                      int64_t base, int64_t key, Search& search) {
  PlanChoice& best = search.best;
  // The search's cut: the plan's bound with these folds prefetched (what the
  // previous layer loses to the prefetch comes on top) cannot win. Only a
  // true lower bound may cut: a cut that a timing could beat would make the
  // choice depend on the order in which the threads find their plans.
  const int64_t ct_bound = c.bound.prefetched(p.prefetch_folds);
  if (!search.could_win(ct_bound, key)) return;
  Prefetch pf = search.memo.prefetch(s, p, t);
  const int64_t preload = pf.preload;
  p.prefetch = true;
  p.prefetch_early = behind.before != nullptr;
  for (bool with_preload : {false, true}) {
    if (with_preload && p.prefetch_early) break;
    const int64_t k = key + (with_preload ? 1 : 0);
    pf.preload = with_preload ? preload : 0;
    const LayerTiming& trailed =
        search.memo.prev_timing(p.prefetch_early ? *behind.before : behind.prev, t, pf, best.stats, p.prefetch_early);
    // Reaching back, the vector-unit layer starts when the BARRIER releases
    // and the prefetch is in (a SYNC before the BARRIER pops its token).
    LayerTiming pt = trailed;
    if (p.prefetch_early) pt.end = pt.release = std::max(trailed.release, trailed.trailing_ready) + behind.prev.end;
    // What the layers before lose to the contention counts against this plan.
    const int64_t prev_cost = (pt.end - behind.end()) + (pt.release - pt.end);
    if (!search.could_win(prev_cost + ct_bound, k)) {
      ++best.stats.pruned;
      continue;
    }
    PrefetchArrival in;
    in.prefetched = true;
    in.preloaded = with_preload;
    in.first_ready = pt.trailing_first_ready - pt.release;
    in.ready = pt.trailing_ready - pt.release;
    in.preload_done = pt.trailing_preload_done - pt.release;
    const LayerTiming ct = conv_timing(s, p, t, c.schedule_of(s, p, t), in);
    ++best.stats.timed;
    if (search.take(p, prev_cost + ct.end, k)) {
      best.plan.prefetch = true;
      best.plan.prefetch_preload = with_preload;
      best.plan.weight_base = base;
      best.plan.predicted_cycles = (pt.release - pt.end) + ct.end;
      best.in = in;
      best.end = ct.end;
      best.prev_end = trailed.end;
    }
  }
}

// Scores `p` (candidate number `index`) standing alone and, when it fits
// beside the previous layer, prefetched (all of the first iteration's folds
// or only the first few, with or without the first PRELOAD).
void score(const ConvSpec& s, TilePlan p, const npu::Target& t, const PrevLayer* prev, const PrevLayer* before,
           const PlanBound& bound, int64_t index, int64_t known_alone, Search& search) {
  PlanChoice& best = search.best;
  p.prefetch = p.prefetch_preload = p.prefetch_early = false;
  p.prefetch_folds = 0;
  p.weight_base = 0;
  ++best.stats.candidates;
  Candidate c{bound, known_alone, false, std::nullopt};
  const int64_t key = index * kVariants;
  if (search.could_win(bound.alone(), key)) {
    const int64_t alone = alone_cycles(s, p, t, c, best.stats);
    if (search.take(p, alone, key)) best.plan.predicted_cycles = best.end = alone;
  } else {
    ++best.stats.pruned;
  }
  if (!prev) return;
  // The first iteration covers the first channel tiles.
  const int64_t folds = fold_count(s, std::min(p.tm, s.mg), std::min(p.tc, s.cg), t);
  // All of the first iteration's folds, or only the first few: the previous
  // layer's tail may hide less than a whole iteration.
  std::set<int64_t> counts{0};
  for (int64_t f : {int64_t{1}, int64_t{2}, int64_t{3}, folds / 4, folds / 2, 3 * folds / 4})
    if (f > 0 && f < folds) counts.insert(f);
  // Weight regions alternate between the bottom and the top of the buffer;
  // reaching back, the region is clear of both layers' weights.
  const int64_t cap = t.weight_buffer_bytes, mine = weight_buffer_use(s, p, t);
  // Behind the previous layer (variants 1, 2, 3, ...: each fold count with
  // and without the PRELOAD), then behind the one before it (variants 16, 17, ...).
  for (const bool early : {false, true}) {
    if (early && !before) break;
    int64_t theirs_lo = prev->weight_lo, theirs_hi = prev->weight_hi;
    if (early && before->weight_hi > before->weight_lo) {
      theirs_lo = theirs_hi > theirs_lo ? std::min(theirs_lo, before->weight_lo) : before->weight_lo;
      theirs_hi = std::max(theirs_hi, before->weight_hi);
    }
    const int64_t base = theirs_lo > 0 ? 0 : cap - mine;
    if (base < 0 || (base < theirs_hi && theirs_lo < base + mine)) continue;
    int64_t variant = early ? kVariants / 2 : 1;
    for (int64_t f : counts) {
      p.prefetch_folds = f;
      score_prefetched(s, p, t, Behind{*prev, early ? before : nullptr}, c, base, key + variant, search);
      variant += early ? 1 : 2;
    }
  }
}
// Tries the winner with its requantizations issued sooner (TilePlan::
// requant_lag 1 .. out_slots - 2) and keeps the lag that ends the layer
// earliest. Only the winner: the lag changes neither the prefetch nor what
// the previous layer loses to it, and it is worth a few hundred cycles on a
// layer of many small tiles (BlazeFace's 16x16 1x1 convs on `mobile`: 8
// requantizations after the last MATMUL).
void refine_requant_lag(const ConvSpec& s, const npu::Target& t, PlanChoice& best) {
  if (best.score == std::numeric_limits<int64_t>::max()) return;
  // Input-channel tiles outside row tiles have a slot per row tile and a
  // lag in iterations (default 1): lags 2 to 6 are worth trying.
  const bool c_outer = best.plan.c_outer;
  const int64_t highest = c_outer ? std::min(out_slots(s, best.plan, t), 8) - 2 : out_slots(s, best.plan, t) - 2;
  TilePlan p = best.plan;
  for (int64_t lag = highest; lag >= (c_outer ? 2 : 1); --lag) {
    p.requant_lag = lag;
    const LayerTiming ct = conv_timing(s, p, t, make_schedule(s, p, t), best.in);
    ++best.stats.lag_timed;
    if (ct.end >= best.end) continue;
    const int64_t saved = best.end - ct.end;
    best.plan.requant_lag = lag;
    best.plan.predicted_cycles -= saved;
    best.score -= saved;
    best.end = ct.end;
  }
}

}  // namespace

PlanChoice search_plan(const ConvSpec& s, const npu::Target& t, const PrevLayer* prev, const PrevLayer* before,
                       int64_t must_beat) {
  // The candidates: the baseline, then largest tiles first (the fewest
  // steps, so the cheapest timings; a good plan found early cuts the rest).
  std::vector<TilePlan> plans{naive_plan(s, t)};
  const int64_t naive_alone = plans[0].predicted_cycles;
  std::vector<int64_t> cs = s.sparse ? std::vector<int64_t>{s.cg} : channel_tiles(s, t);
  const std::vector<int64_t> ms = m_sizes(s.mg, t.cols), tws = width_tiles(s, t);
  // Row tiles of whole rows; for dilated layers also of one row phase (th
  // rows of a phase per tile, no short edge tiles).
  for (bool phased : {false, true}) {
    if (phased && !s.can_phase_rows()) continue;
    const std::vector<int64_t> hs = row_tile_heights(s, phased ? (s.oh + s.dh - 1) / s.dh : s.oh);
    for (int64_t tm : ms)
      for (int64_t tc : cs)
        for (int64_t th : hs)
          for (int64_t tw : tws)
            for (bool m_outer : {true, false}) {
              TilePlan p;
              p.tm = tm;
              p.tc = tc;
              p.th = th;
              p.tw = tw;
              p.m_outer = m_outer;
              p.row_phases = phased;
              // Column tiles are for rows too wide to tile well whole: one row.
              if ((tw > 0 && th > 1) || plan_overflow(s, p, t)) continue;
              for (int64_t edge : {int64_t{0}, int64_t{1}, th / 2}) {
                if (edge > 0 && (phased || edge >= th || s.oh <= 2 * edge)) continue;
                p.th_edge = edge;
                if (s.in_image >= 0) {
                  on_chip_input_plans(s, p, t, plans);
                  continue;
                }
                plans.push_back(p);
                with_resident_weights(s, p, t, plans);
                with_resident_input(s, p, t, plans);
                if (m_outer) with_channels_outer(s, p, t, plans);
              }
            }
  }
  // Candidate i goes to thread i mod T; each thread keeps its own best and
  // memo, all cut against the best found so far by any of them.
  const int64_t T = std::max<int64_t>(1, std::min<int64_t>(num_threads(), static_cast<int64_t>(plans.size())));
  SharedBest shared;
  if (must_beat < std::numeric_limits<int64_t>::max()) {
    shared.score = must_beat;
    shared.key = -1;  // an equal score does not beat it either
  }
  std::vector<Search> searches(T);
  parallel_for(T, 1, [&](int64_t a, int64_t b) {
    for (int64_t k = a; k < b; ++k) {
      Search& search = searches[k];
      search.shared = &shared;
      for (int64_t i = k; i < static_cast<int64_t>(plans.size()); i += T) {
        const PlanBound bound(s, plans[i], t);
        score(s, plans[i], t, prev, before, bound, i, i == 0 ? naive_alone : -1, search);
      }
    }
  });
  Search* winner = &searches[0];
  SearchStats stats;
  for (Search& search : searches) {
    if (beats(search.best.score, search.best_key, winner->best.score, winner->best_key)) winner = &search;
    stats.candidates += search.best.stats.candidates;
    stats.timed += search.best.stats.timed;
    stats.pruned += search.best.stats.pruned;
  }
  PlanChoice best = winner->best;
  best.stats = stats;
  refine_requant_lag(s, t, best);
  return best;
}

}  // namespace etch::compiler
