// The mapper's decision for one conv/gemm layer, recorded so that the emitter,
// the reports and the tests all see the same choice.
#pragma once
#include <cstdint>
#include <string>

namespace etch::compiler {

struct TilePlan {
  int64_t tm = 1;  // output channels per tile (a multiple of the array's columns, or all)
  int64_t tc = 1;  // input channels per tile (reduction split; all of them when it fits)
  int64_t th = 1;  // output rows per tile
  // Output columns per tile (0: the full width). Narrower tiles let a wide
  // layer fill the array's columns when a full-width row of accumulators
  // for them would not fit twice (plan suffix "wN").
  int64_t tw = 0;
  // When > 0, the first and the last row tile have only this many rows: a
  // short first tile starts the array sooner, a short last tile drains sooner.
  int64_t th_edge = 0;
  // Dilated layers: each tile takes every dh-th output row (one row phase
  // of the dilation), so its input tile is the kh-row window of that phase
  // rather than the (kh - 1) * dh + 1 rows the dilated kernel spans (plan
  // suffix "ph"). th then counts rows of one phase; th_edge is 0.
  bool row_phases = false;
  bool m_outer = true;  // loop order: output-channel tiles outside row tiles (weights reused)
  // Loop order with one output-channel tile: input-channel tiles outside row
  // tiles (plan "C>H"), every row tile's accumulators live at once. Each
  // input-channel tile's weights load once and stay in the array while the
  // row tiles stream; the layer starts on one row tile's input, and in the
  // last channel tile each row tile is requantized while the next computes.
  // For layers that must load both their weights and their input (a
  // segment's first layer): the other orders wait for a whole-height input
  // tile first, or requantize every row at the end.
  bool c_outer = false;
  bool double_buffer = true;  // two slots per operand so DMA overlaps compute
  // Every weight tile and parameter block gets its own slot and loads once,
  // when the whole layer's fit in the weight buffer (plan suffix "res"): an
  // H>M loop or a split reduction then reloads no weights per row tile.
  bool resident_weights = false;
  // The input stays in the input buffer whole (every row the layer reads, all
  // channels): each tile loads only the rows no earlier tile loaded, so the
  // rows neighbouring tiles share (a kernel taller than its stride) and the
  // rows an M>H loop would load again per output-channel tile load once
  // (plan suffix "rin"). Ungrouped layers (or any whose input is an image on
  // chip, ConvSpec::in_image) with one input-channel tile and full-width rows
  // of whole (unphased) row tiles only.
  bool resident_input = false;
  // The first iteration's weights and parameters load during the previous
  // layer's tail (issued before the BARRIER between them); the layer's weight
  // buffer region then starts at weight_base, clear of the previous layer's.
  bool prefetch = false;
  bool prefetch_preload = false;  // ... and the first fold's PRELOAD, after the previous layer's last instruction
  // How many of the first iteration's folds are prefetched (0: all); the
  // others load after the BARRIER, behind the input tile, so the previous
  // layer is not held up by weights this layer only needs later.
  int64_t prefetch_folds = 0;
  // The prefetch reaches one layer further back (plan suffix "pfb"): when the
  // previous layer is a vector-unit layer (a pool, an add), it is issued
  // before the BARRIER that closes the conv/gemm layer before that one, so
  // the weights load while that layer computes rather than beside the
  // vector layer, which is short or busy with DRAM itself. A compute-queue
  // SYNC before that BARRIER pops the prefetch's one token, so the vector
  // layer (which may pop load tokens of its own) starts once it is in. Never
  // with the PRELOAD moved.
  bool prefetch_early = false;
  // A tile's REQUANT and STORE are issued on the compute queue after the
  // first iteration of the tile this many tiles later (0: out_slots - 1, as
  // late as the accumulator slots allow; plan suffix "lagN"). Late, the
  // queue never waits for the array to drain a tile before requantizing it;
  // but the tiles of the last `lag` are all requantized after the layer's last
  // MATMUL, one after the other, with nothing left to overlap them.
  int64_t requant_lag = 0;
  int64_t weight_base = 0;
  int64_t predicted_cycles = 0;  // cost model: from the previous layer's end to this layer's
  std::string str() const;
  // Folds of the first iteration that a prefetch loads, of `folds`.
  int64_t prefetched_folds(int64_t folds) const {
    return prefetch_folds > 0 && prefetch_folds < folds ? prefetch_folds : folds;
  }
};

}  // namespace etch::compiler
