// make_schedule's input loads: with a resident input every input row the
// layer reads loads exactly once, in order, however the row tiles overlap
// and however many output-channel tiles revisit them; without it each tile
// loads its whole haloed window again.
#include "etch/compiler/schedule.h"

#include <gtest/gtest.h>

#include <vector>

#include "etch/npu/target.h"

namespace etch::compiler {
namespace {

// 3x3 conv, stride 1, padding 1: 8 -> 16 channels on 10 x 6.
ConvSpec conv3x3_spec() {
  ConvSpec s;
  s.name = "conv3x3";
  s.cg = 8;
  s.mg = 16;
  s.h = s.oh = 10;
  s.w = s.ow = 6;
  s.kh = s.kw = 3;
  s.pad_t = s.pad_l = 1;
  s.in.c = 8;
  s.in.h = 10;
  s.in.w = 6;
  s.in.pad = 1;
  s.out.c = 16;
  s.out.h = 10;
  s.out.w = 6;
  return s;
}

TilePlan row_tile_plan(bool resident_input) {
  TilePlan p;
  p.tm = 8;  // two output-channel tiles, outside the row tiles (M>H)
  p.tc = 8;
  p.th = 3;
  p.th_edge = 1;
  p.resident_input = resident_input;
  return p;
}

int64_t input_bytes_loaded_by(const ConvSpec& s, const Schedule& sc) {
  int64_t bytes = 0;
  for (const Iteration& it : sc.iters)
    if (it.load_x) bytes += x_load_bytes(s, sc, it);
  return bytes;
}

TEST(Schedule, AResidentInputLoadsEveryRowOnceInOrder) {
  const ConvSpec s = conv3x3_spec();
  const Schedule sc = make_schedule(s, row_tile_plan(true), npu::preset("datacenter"));
  ASSERT_TRUE(sc.resident_input);
  EXPECT_EQ(sc.x_slots, 1);
  int64_t next = 0;
  for (const Iteration& it : sc.iters) {
    const OutTile& o = sc.tiles[it.tile];
    if (o.mi == 1) {
      EXPECT_FALSE(it.load_x) << "tile " << it.tile << " of the second channel tile";
    }
    if (!it.load_x) continue;
    EXPECT_EQ(it.x_row0, next);
    EXPECT_GT(it.x_rows, 0);
    next = it.x_row0 + it.x_rows;
    // The tile's own window (rows oy0 .. oy0 + th + 1 of the padded input) is in.
    EXPECT_EQ(next, o.oy0 + o.th + 2) << "tile " << it.tile;
  }
  EXPECT_EQ(next, s.rows_in(s.oh));  // 12 padded rows
  EXPECT_EQ(input_bytes_loaded_by(s, sc), s.cg * s.rows_in(s.oh) * s.in.pitch());
  EXPECT_EQ(sc.sizes.x, s.cg * s.rows_in(s.oh) * s.in.pitch());
}

TEST(Schedule, WithoutAResidentInputEachTileLoadsItsWindow) {
  const ConvSpec s = conv3x3_spec();
  const Schedule sc = make_schedule(s, row_tile_plan(false), npu::preset("datacenter"));
  EXPECT_EQ(sc.x_slots, 2);
  // Row tiles 1, 3, 3, 2, 1 of 10 rows read 3, 5, 5, 4, 3 padded rows, for
  // each of the two output-channel tiles.
  EXPECT_EQ(input_bytes_loaded_by(s, sc), 2 * s.cg * (3 + 5 + 5 + 4 + 3) * s.in.pitch());
}

// Requantization parameters load once per run of tiles with the same output
// channels: with M>H once per channel tile (2 loads for 10 tiles), with H>M
// every tile (the channel tile alternates); a run's slot is overwritten only
// after the last tile that read it has been requantized.
TEST(Schedule, ParametersLoadOncePerOutputChannelRun) {
  const ConvSpec s = conv3x3_spec();
  for (const bool m_outer : {true, false}) {
    TilePlan p = row_tile_plan(false);
    p.m_outer = m_outer;
    const Schedule sc = make_schedule(s, p, npu::preset("datacenter"));
    ASSERT_EQ(sc.tiles.size(), 10u);
    int loads = 0;
    std::vector<int> last_reader(static_cast<size_t>(sc.param_slots), -1);
    for (const Iteration& it : sc.iters) {
      const OutTile& o = sc.tiles[it.tile];
      const bool new_run = it.tile == 0 || sc.tiles[it.tile - 1].mi != o.mi;
      EXPECT_EQ(it.load_params, new_run) << "m_outer " << m_outer << ", tile " << it.tile;
      if (it.load_params) {
        ++loads;
        const int prev = last_reader[static_cast<size_t>(o.param_slot)];
        if (prev >= 0) {
          EXPECT_GE(it.wait_iter, sc.tiles[prev].rq_iter) << "tile " << it.tile;
        }
      } else {
        EXPECT_EQ(o.param_slot, sc.tiles[it.tile - 1].param_slot) << "tile " << it.tile;
      }
      last_reader[static_cast<size_t>(o.param_slot)] = it.tile;
    }
    EXPECT_EQ(loads, m_outer ? 2 : 10);
  }
}

TEST(Schedule, AResidentInputThatDoesNotFitOverflowsTheInputBuffer) {
  const ConvSpec s = conv3x3_spec();
  npu::Target t = npu::preset("edge");
  const TilePlan p = row_tile_plan(true);
  // One byte short of the whole input (768 bytes) and two output slots (2 x 144).
  const SlotSizes z = slot_sizes(s, p);
  ASSERT_EQ(z.x, 768);
  t.input_buffer_bytes = z.x + 2 * z.out - 1;
  EXPECT_STREQ(plan_overflow(s, p, t), "input buffer");
  // Two slots of a 5-row window (2 x 320) and the output slots fit.
  EXPECT_EQ(plan_overflow(s, row_tile_plan(false), t), nullptr);
}

}  // namespace
}  // namespace etch::compiler
