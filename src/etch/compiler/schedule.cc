#include "etch/compiler/schedule.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

#include "etch/core/error.h"
#include "etch/npu/footprint.h"

namespace etch::compiler {

std::string TilePlan::str() const {
  std::string pf;
  if (prefetch)
    pf = fmt::format(" pf{}{}{}", prefetch_early ? "b" : "", prefetch_folds > 0 ? std::to_string(prefetch_folds) : "",
                     prefetch_preload ? "+p" : "");
  return fmt::format("m{} c{} h{}{}{}{} {}{}{}{}{}{}", tm, tc, th, th_edge > 0 ? fmt::format("/{}", th_edge) : "",
                     row_phases ? "ph" : "", tw > 0 ? fmt::format(" w{}", tw) : "",
                     c_outer   ? "C>H"
                     : m_outer ? "M>H"
                               : "H>M",
                     double_buffer ? "" : " single", resident_weights ? " res" : "", resident_input ? " rin" : "", pf,
                     requant_lag > 0 ? fmt::format(" lag{}", requant_lag) : "");
}

bool is_2_4_sparse(const ConvSpec& s) {
  if (s.cg % 4 != 0) return false;
  const int64_t kk = s.kk(), kg = s.kg();
  for (int64_t m = 0; m < s.groups * s.mg; ++m)
    for (int64_t c = 0; c < s.cg; c += 4)
      for (int64_t r = 0; r < kk; ++r) {
        int nz = 0;
        for (int64_t j = 0; j < 4; ++j) nz += s.weights[m * kg + (c + j) * kk + r] != 0;
        if (nz > 2) return false;
      }
  return true;
}

int64_t fold_k(const ConvSpec& s, const npu::Target& t) { return s.sparse ? npu::sparse_max_k(t) : t.rows; }

int64_t fold_count(const ConvSpec& s, int64_t tm, int64_t tc, const npu::Target& t) {
  const int64_t fk = fold_k(s, t);
  return (tm + t.cols - 1) / t.cols * ((tc * s.kk() + fk - 1) / fk);
}

std::vector<std::pair<int64_t, int64_t>> row_tiles(const ConvSpec& s, const TilePlan& p) {
  std::vector<std::pair<int64_t, int64_t>> rows;
  if (p.row_phases) {
    for (int64_t a = 0; a < std::min(s.dh, s.oh); ++a) {
      const int64_t n = (s.oh - a + s.dh - 1) / s.dh;  // rows a, a + dh, ... below oh
      for (int64_t i = 0; i < n; i += p.th) rows.push_back({a + i * s.dh, std::min(p.th, n - i)});
    }
    return rows;
  }
  int64_t y = 0, end = s.oh;
  const bool edges = p.th_edge > 0 && p.th_edge < p.th && s.oh > 2 * p.th_edge;
  if (edges) {
    rows.push_back({0, p.th_edge});
    y = p.th_edge;
    end = s.oh - p.th_edge;
  }
  for (; y < end; y += p.th) rows.push_back({y, std::min(p.th, end - y)});
  if (edges) rows.push_back({end, p.th_edge});
  return rows;
}

std::vector<std::pair<int64_t, int64_t>> col_tiles(const ConvSpec& s, const TilePlan& p) {
  std::vector<std::pair<int64_t, int64_t>> cols;
  const int64_t tw = tile_width(s, p);
  for (int64_t x = 0; x < s.ow; x += tw) cols.push_back({x, std::min(tw, s.ow - x)});
  return cols;
}

SlotSizes slot_sizes(const ConvSpec& s, const TilePlan& p) {
  SlotSizes z;
  const int64_t tw = tile_width(s, p);
  z.x = p.resident_input ? p.tc * resident_x_chan_bytes(s) : p.tc * s.rows_in(p.th, p.row_phases) * x_row_bytes(s, tw);
  z.out = s.out_image >= 0 ? 0 : p.tm * p.th * tw;  // an output image on chip needs no output slots
  z.acc_entries = p.tm * p.th * tw;
  if (s.sparse) {
    const int64_t k = p.tc * s.kk();
    z.w_values = p.tm * npu::sparse_value_bytes(k);
    z.w_meta = p.tm * npu::sparse_meta_bytes(k);
  } else {
    z.w_values = p.tm * p.tc * s.kk();
  }
  z.w = z.w_values + z.w_meta;
  z.params = s.params_bytes(p.tm);
  return z;
}

// Spatial tiles (row tiles x column tiles) of a plan.
int64_t spatial_tiles(const ConvSpec& s, const TilePlan& p) {
  return static_cast<int64_t>(row_tiles(s, p).size() * col_tiles(s, p).size());
}

int out_slots(const ConvSpec& s, const TilePlan& p, const npu::Target& t) {
  if (p.c_outer) return static_cast<int>(spatial_tiles(s, p));  // every row tile's, at once
  if (!p.double_buffer) return 1;
  const SlotSizes z = slot_sizes(s, p);
  int64_t n = 8;
  n = std::min(n, (own_input_buffer(s, t) - own_input_slot_bytes(s, input_slots(p), z)) / std::max<int64_t>(1, z.out));
  if (!p.resident_weights) n = std::min(n, (t.weight_buffer_bytes - 2 * z.w) / std::max<int64_t>(1, z.params) - 1);
  n = std::min(n, t.accumulator_buffer_bytes / std::max<int64_t>(1, npu::kAccumulatorEntryBytes * z.acc_entries));
  return static_cast<int>(std::max<int64_t>(2, n));
}

const char* plan_overflow(const ConvSpec& s, const TilePlan& p, const npu::Target& t, int64_t* need, int64_t* have) {
  const SlotSizes z = slot_sizes(s, p);
  const int64_t n = p.c_outer ? spatial_tiles(s, p) : p.double_buffer ? 2 : 1;
  auto check = [&](int64_t needed, int64_t capacity, const char* what) -> const char* {
    if (needed <= capacity) return nullptr;
    if (need) *need = needed;
    if (have) *have = capacity;
    return what;
  };
  if (auto* b = check(own_input_slot_bytes(s, input_slots(p), z) + n * z.out, own_input_buffer(s, t), "input buffer"))
    return b;
  const int64_t params = p.resident_weights || p.c_outer ? param_slots(s, p, t) : (p.double_buffer ? 3 : 1);
  if (auto* b = check(weight_slots(s, p) * z.w + params * z.params, t.weight_buffer_bytes, "weight buffer")) return b;
  return check(n * z.acc_entries * npu::kAccumulatorEntryBytes, t.accumulator_buffer_bytes, "accumulator buffer");
}

int64_t weight_slots(const ConvSpec& s, const TilePlan& p) {
  if (!p.resident_weights) return p.double_buffer ? 2 : 1;
  return s.groups * ((s.mg + p.tm - 1) / p.tm) * ((s.cg + p.tc - 1) / p.tc);
}

int param_slots(const ConvSpec& s, const TilePlan& p, const npu::Target& t) {
  if (p.resident_weights || p.c_outer) return static_cast<int>(s.groups * ((s.mg + p.tm - 1) / p.tm));
  return p.double_buffer ? out_slots(s, p, t) + 1 : 1;
}

int64_t weight_buffer_use(const ConvSpec& s, const TilePlan& p, const npu::Target& t) {
  const SlotSizes z = slot_sizes(s, p);
  return weight_slots(s, p) * z.w + param_slots(s, p, t) * z.params;
}

Schedule make_schedule(const ConvSpec& s, const TilePlan& p, const npu::Target& tgt) {
  Schedule sc;
  sc.sizes = slot_sizes(s, p);
  sc.slots = p.double_buffer ? 2 : 1;
  sc.x_slots = input_slots(p);
  sc.resident_input = p.resident_input;
  ETCH_CHECK(!p.resident_input ||
             ((s.groups == 1 || s.in_image >= 0) && p.tc >= s.cg && tile_width(s, p) == s.ow && !p.row_phases))
      << s.name << ": a resident input needs one group (or to be on chip), one input-channel tile and whole rows";
  ETCH_CHECK(s.in_image < 0 || p.resident_input) << s.name << ": an input image on chip is read as a resident input";
  ETCH_CHECK(!p.c_outer || (s.groups == 1 && p.tm >= s.mg && !p.resident_input && !p.resident_weights))
      << s.name << ": input-channel tiles outside row tiles need one group and one output-channel tile";
  sc.w_slots = static_cast<int>(weight_slots(s, p));
  sc.out_slots = out_slots(s, p, tgt);
  sc.param_slots = param_slots(s, p, tgt);
  // Requantize tile t after tile t + D has started (TilePlan::requant_lag);
  // input-channel tiles outside: D iterations after its last (default 1).
  const int S = sc.out_slots;
  const int D = p.c_outer           ? static_cast<int>(std::max<int64_t>(p.requant_lag, 1))
                : p.requant_lag > 0 ? static_cast<int>(std::min<int64_t>(p.requant_lag, S - 1))
                                    : S - 1;
  // Spatial tiles: row tiles, each cut into column tiles.
  std::vector<std::array<int64_t, 4>> rows;  // (first row, rows, first column, columns)
  const auto cols = col_tiles(s, p);
  for (auto [y, h] : row_tiles(s, p))
    for (auto [x, w] : cols) rows.push_back({y, h, x, w});
  const int64_t row_step = p.row_phases ? s.dh : 1;
  const int64_t nm = (s.mg + p.tm - 1) / p.tm, nh = static_cast<int64_t>(rows.size()), nc = (s.cg + p.tc - 1) / p.tc;
  // Timing a candidate builds its whole schedule: no regrowth.
  sc.tiles.reserve(static_cast<size_t>(s.groups * nm * nh));
  sc.iters.reserve(static_cast<size_t>(s.groups * nm * nh * nc));
  for (int64_t g = 0; g < s.groups; ++g)
    for (int64_t a = 0; a < (p.m_outer ? nm : nh); ++a)
      for (int64_t b = 0; b < (p.m_outer ? nh : nm); ++b) {
        const int64_t mi = p.m_outer ? a : b, hi = p.m_outer ? b : a;
        OutTile t;
        t.g = g, t.mi = mi, t.hi = hi;
        t.m0 = mi * p.tm;
        t.tm = std::min(p.tm, s.mg - t.m0);
        t.oy0 = rows[hi][0];
        t.th = rows[hi][1];
        t.ox0 = rows[hi][2];
        t.tw = rows[hi][3];
        t.ry = row_step;
        t.slot = static_cast<int>(sc.tiles.size()) % S;
        // Parameters go by output-channel tile: consecutive tiles of one
        // (group, channel tile) share a slot, the next such run takes the
        // next slot (resident weights: one slot each, loaded once).
        const int64_t param_key = g * nm + mi;
        t.new_params = sc.tiles.empty() || param_key != sc.tiles.back().g * nm + sc.tiles.back().mi;
        if (p.resident_weights)
          t.param_slot = static_cast<int>(param_key);
        else
          t.param_slot = sc.tiles.empty() ? 0 : (sc.tiles.back().param_slot + (t.new_params ? 1 : 0)) % sc.param_slots;
        sc.tiles.push_back(std::move(t));
      }
  const int T = static_cast<int>(sc.tiles.size());
  // Iterations: each tile's input-channel tiles in turn, or (c_outer) each
  // input-channel tile over every tile in turn.
  auto iteration = [&](int tile, int64_t ci) {
    Iteration it;
    it.tile = tile;
    it.ci = static_cast<int32_t>(ci);
    it.c0 = static_cast<int32_t>(ci * p.tc);
    it.tc = static_cast<int32_t>(std::min(p.tc, s.cg - it.c0));
    sc.iters.push_back(it);
  };
  for (int64_t a = 0; a < (p.c_outer ? nc : T); ++a)
    for (int64_t b = 0; b < (p.c_outer ? T : nc); ++b)
      iteration(static_cast<int>(p.c_outer ? b : a), p.c_outer ? a : b);
  const int last = static_cast<int>(sc.iters.size()) - 1;
  for (int t = 0; t < T; ++t) {
    OutTile& o = sc.tiles[t];
    o.first_iter = static_cast<int>(p.c_outer ? t : t * nc);
    o.last_iter = static_cast<int>(p.c_outer ? (nc - 1) * T + t : (t + 1) * nc - 1);
    if (p.c_outer)
      o.rq_iter = std::min(o.last_iter + D, last);
    else
      o.rq_iter = t + D < T && D > 0 ? static_cast<int>((t + D) * nc) : (D > 0 ? last : o.last_iter);
  }
  // rq_iter never decreases with t, so each iteration's tiles are one run.
  sc.rq_tiles.resize(static_cast<size_t>(T));
  for (int t = 0; t < T; ++t) {
    sc.rq_tiles[t] = t;
    Iteration& it = sc.iters[sc.tiles[t].rq_iter];
    if (it.rq_end == it.rq_begin) it.rq_begin = t;
    it.rq_end = t + 1;
  }
  // Loads: reuse what is loaded, otherwise alternate slots; a slot may be
  // overwritten once the iteration that last read it has finished.
  int64_t x_key[3] = {-1, -1, -1}, w_key[3] = {-1, -1, -1};
  // A resident input's loads still take turns as four slots' would: each
  // waits for the compute four loads back. Unthrottled, the load engine would
  // hold the DRAM channel (it wins ties) until the whole input is in while
  // the stores wait, and the cost model, which visits steps in program
  // order, would not see that: a stem conv simulated 14% slower than predicted.
  const int x_turns = p.resident_input ? 4 : sc.x_slots;
  int x_slot = x_turns - 1, w_slot = sc.slots - 1;
  int64_t x_loaded = 0;  // resident input: rows [0, x_loaded) are in
  int x_reader[4] = {-1, -1, -1, -1}, w_reader[2] = {-1, -1};
  std::vector<bool> w_loaded(p.resident_weights ? static_cast<size_t>(sc.w_slots) : 0),
      params_loaded(p.resident_weights ? static_cast<size_t>(sc.param_slots) : 0);
  std::vector<int> param_reader(p.resident_weights ? 0 : static_cast<size_t>(sc.param_slots), -1);  // last tile
  for (size_t i = 0; i < sc.iters.size(); ++i) {
    Iteration& it = sc.iters[i];
    const OutTile& o = sc.tiles[it.tile];
    it.wait_iter = -1;
    if (p.resident_input) {  // the rows no earlier tile loaded; nothing is overwritten
      const auto [first, end] = resident_rows_to_load(s, o.oy0, o.th, x_loaded);
      it.load_x = s.in_image < 0 && end > first;  // an image on chip is in already
      if (it.load_x) {
        it.x_row0 = static_cast<int32_t>(first);
        it.x_rows = static_cast<int32_t>(end - first);
        x_loaded = end;
      }
    } else {
      it.load_x = !(x_key[0] == o.g && x_key[1] == o.hi && x_key[2] == it.ci);
    }
    if (it.load_x) {
      x_slot = (x_slot + 1) % x_turns;
      it.wait_iter = std::max(it.wait_iter, x_reader[x_slot]);
      x_key[0] = o.g, x_key[1] = o.hi, x_key[2] = it.ci;
    }
    const bool same_w = w_key[0] == o.g && w_key[1] == o.mi && w_key[2] == it.ci;
    if (p.resident_weights) {  // one slot per weight tile, never overwritten
      w_slot = static_cast<int>((o.g * nm + o.mi) * nc + it.ci);
      it.load_w = !w_loaded[w_slot];
      w_loaded[w_slot] = true;
      it.load_params = it.ci == 0 && !params_loaded[o.param_slot];
      if (it.load_params) params_loaded[o.param_slot] = true;
    } else {
      it.load_w = !same_w;
      if (it.load_w) {
        w_slot = (w_slot + 1) % sc.slots;
        it.wait_iter = std::max(it.wait_iter, w_reader[w_slot]);
      }
      // A run's parameters overwrite the slot once the last tile that read
      // it has been requantized.
      it.load_params = it.ci == 0 && o.new_params;
      int& reader = param_reader[static_cast<size_t>(o.param_slot)];
      if (it.load_params && reader >= 0) it.wait_iter = std::max(it.wait_iter, sc.tiles[reader].rq_iter);
      if (it.ci == 0) reader = it.tile;
    }
    w_key[0] = o.g, w_key[1] = o.mi, w_key[2] = it.ci;
    const bool one_fold = o.tm <= tgt.cols && it.tc * s.kk() <= fold_k(s, tgt);
    it.reuse_array_weights = i > 0 && same_w && one_fold;
    it.x_slot = x_slot;
    it.w_slot = w_slot;
    x_reader[x_slot] = static_cast<int>(i);
    if (!p.resident_weights) w_reader[w_slot] = static_cast<int>(i);
  }
  return sc;
}

}  // namespace etch::compiler
