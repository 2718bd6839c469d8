// The loop nest of one conv/gemm layer under a TilePlan, unrolled into tiles
// and iterations with buffer slots and load reuse decided. The cost model and
// the emitter both walk this one structure, so the search optimises what is
// emitted.
#pragma once
#include <algorithm>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "etch/compiler/conv_spec.h"
#include "etch/compiler/tile_plan.h"
#include "etch/npu/target.h"

namespace etch::compiler {

struct OutTile {
  int64_t g = 0, mi = 0, hi = 0;
  int64_t m0 = 0, tm = 0, oy0 = 0, th = 0;  // channel and row range (within the group)
  int64_t ry = 1;                           // output rows oy0, oy0 + ry, ...: ry > 1 when row-phased
  int64_t ox0 = 0, tw = 0;                  // column range
  int slot = 0;                             // accumulator and output slot (tile % out_slots)
  int param_slot = 0;                       // requantization parameter slot
  // The first tile of its (group, channel tile): it loads the parameters,
  // which the tiles after it with the same channels reuse.
  bool new_params = false;
  int first_iter = 0, last_iter = 0;
  int rq_iter = 0;  // its REQUANT + STORE are emitted after this iteration's compute
};

// 32-bit fields: a timing builds one per iteration, tens of thousands for a
// large layer, and the search times hundreds of plans.
struct Iteration {
  int tile = 0;
  int32_t ci = 0, c0 = 0, tc = 0;  // input-channel range (within the group)
  int x_slot = 0, w_slot = 0;
  int wait_iter = -1;  // loads must wait until this iteration's compute has finished (-1: none)
  // Tiles whose REQUANT + STORE follow this iteration's matmuls:
  // Schedule::rq_tiles[rq_begin, rq_end) (tiles requantize in order).
  int rq_begin = 0, rq_end = 0;
  bool load_x = false, load_w = false, load_params = false;  // params: the tile's requantization parameters
  // Resident input (TilePlan::resident_input): the rows this iteration loads,
  // counted from the layer's first input row, which is also their buffer row.
  int32_t x_row0 = 0, x_rows = 0;
  // One fold with the same weights as the previous iteration's one fold: the
  // array keeps them (no PRELOAD, MATMUL without swap).
  bool reuse_array_weights = false;
};

// Bytes of one slot of each buffer region under a plan. Input buffer:
// input_slots(p) input slots then out_slots output slots; weight buffer: 2
// (or 1) weight slots then param_slots parameter slots; accumulators:
// out_slots slots. A resident input's one slot holds every row the layer reads.
struct SlotSizes {
  int64_t x = 0, out = 0, w = 0, params = 0, acc_entries = 0;
  int64_t w_values = 0, w_meta = 0;  // inside a weight slot: values, then metadata
};

// The plan's row tiles in loop order, as (first output row, rows); a
// row-phased plan's tiles hold every dh-th row, phase by phase.
std::vector<std::pair<int64_t, int64_t>> row_tiles(const ConvSpec& s, const TilePlan& p);
// The plan's column tiles, as (first output column, columns): one full-width
// tile unless p.tw splits the width.
std::vector<std::pair<int64_t, int64_t>> col_tiles(const ConvSpec& s, const TilePlan& p);
// Output columns of the plan's (widest) column tile.
inline int64_t tile_width(const ConvSpec& s, const TilePlan& p) { return p.tw > 0 && p.tw < s.ow ? p.tw : s.ow; }
// Input rows of a tile (loaded adjacent in its input slot).
inline int64_t tile_rows_in(const ConvSpec& s, const OutTile& o) { return s.rows_in(o.th, o.ry > 1); }
// Bytes of one input row in a tile of tw output columns: a full-width tile
// keeps the tensor's haloed row; a narrower one only the columns it reads.
inline int64_t x_row_bytes(const ConvSpec& s, int64_t tw) { return tw < s.ow ? s.cols_in(tw) : s.in.pitch(); }
// Bytes of one channel of a resident input: every row the layer reads.
inline int64_t resident_x_chan_bytes(const ConvSpec& s) { return s.rows_in(s.oh) * s.in.pitch(); }
// The rows [first, end) of a resident input that the tile of th output rows
// from oy0 reads and no earlier tile loaded, when rows [0, loaded) are in
// (counted from the layer's first input row; nothing to load when first >= end).
inline std::pair<int64_t, int64_t> resident_rows_to_load(const ConvSpec& s, int64_t oy0, int64_t th, int64_t loaded) {
  return {std::max(oy0 * s.sh, loaded), oy0 * s.sh + s.rows_in(th)};
}

// Output rows one REQUANT of tile o writes: all of them, unless the output
// goes to an image on chip where its rows are not adjacent (a halo, column
// tiles, row phases): then one, and the tile takes th REQUANTs.
inline int64_t requant_rows(const ConvSpec& s, const OutTile& o) {
  return s.out_image < 0 || (s.out.pad == 0 && o.tw == s.ow && o.ry == 1) ? o.th : 1;
}
inline int64_t requant_parts(const ConvSpec& s, const OutTile& o) { return o.th / requant_rows(s, o); }

SlotSizes slot_sizes(const ConvSpec& s, const TilePlan& p);
// Input slots: 2 (3 with input-channel tiles outside row tiles, where the
// next channel tile's weights load between two input tiles), or 1 when
// single-buffered or the input is resident.
inline int input_slots(const TilePlan& p) { return p.double_buffer && !p.resident_input ? (p.c_outer ? 3 : 2) : 1; }
// The input-buffer bytes a layer's own slots may use: all but the images of
// activations kept on chip (ConvSpec::ibuf_lo, ibuf_hi).
inline int64_t own_input_buffer(const ConvSpec& s, const npu::Target& t) {
  return t.input_buffer_bytes - s.ibuf_lo - s.ibuf_hi;
}
// Bytes of those that the input slots take: none when the input is an image
// already on chip (ConvSpec::in_image), which is the resident input's slot.
inline int64_t own_input_slot_bytes(const ConvSpec& s, int x_slots, const SlotSizes& z) {
  return s.in_image >= 0 ? 0 : x_slots * z.x;
}
// How many output-side slots (accumulator, output, parameters) fit, up to 8;
// 1 without double buffering. More slots let the array run ahead of the
// requantization of tiles that are still draining.
int out_slots(const ConvSpec& s, const TilePlan& p, const npu::Target& t);
// One parameter slot more than output slots when double-buffered: a tile's
// parameters then load while the requantization two tiles back still reads
// its slot's, not one tile back's, so the load waits for no later iteration
// than the one whose input slot it reuses.
int param_slots(const ConvSpec& s, const TilePlan& p, const npu::Target& t);
// Weight slots: 2 (or 1), or one per weight tile when resident.
int64_t weight_slots(const ConvSpec& s, const TilePlan& p);
// Bytes of the weight buffer a plan occupies: weight slots, then parameter slots.
int64_t weight_buffer_use(const ConvSpec& s, const TilePlan& p, const npu::Target& t);
// Which buffer overflows (nullptr when the plan fits), with the bytes needed.
const char* plan_overflow(const ConvSpec& s, const TilePlan& p, const npu::Target& t, int64_t* need = nullptr,
                          int64_t* have = nullptr);

struct Schedule {
  std::vector<OutTile> tiles;
  std::vector<Iteration> iters;
  SlotSizes sizes;
  int slots = 2;    // weight slots unless resident (2, or 1 when single-buffered)
  int x_slots = 2;  // input slots (input_slots)
  bool resident_input = false;
  int w_slots = 2;      // weight slots
  int out_slots = 2;    // accumulator / output slots
  int param_slots = 3;  // parameter slots
  std::vector<int> rq_tiles;
  std::span<const int> requants(int iter) const {
    const Iteration& it = iters[iter];
    return {rq_tiles.data() + it.rq_begin, rq_tiles.data() + it.rq_end};
  }
};

Schedule make_schedule(const ConvSpec& s, const TilePlan& p, const npu::Target& t);
// Bytes an iteration's input LOAD moves (when it.load_x).
inline int64_t x_load_bytes(const ConvSpec& s, const Schedule& sc, const Iteration& it) {
  const OutTile& o = sc.tiles[it.tile];
  return it.tc * (sc.resident_input ? it.x_rows : tile_rows_in(s, o)) * x_row_bytes(s, o.tw);
}

// Physical reduction chunk per fold: rows (dense) or 2 x rows rounded down to
// a multiple of 4 (2:4 sparse).
int64_t fold_k(const ConvSpec& s, const npu::Target& t);
// Folds (one PRELOAD + MATMUL each) of an iteration over tm output channels
// and tc input channels.
int64_t fold_count(const ConvSpec& s, int64_t tm, int64_t tc, const npu::Target& t);

}  // namespace etch::compiler
