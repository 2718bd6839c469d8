// The mapper: per conv/gemm layer, searches tile sizes (output channels, input
// channels, output rows) and loop order under the buffer capacities, scores
// every candidate with the cost model and keeps the cheapest.
#pragma once
#include <cstdint>
#include <limits>

#include "etch/compiler/conv_spec.h"
#include "etch/compiler/cost_model.h"
#include "etch/compiler/prev_layer.h"
#include "etch/compiler/tile_plan.h"
#include "etch/npu/target.h"

namespace etch::compiler {

// The smallest plan of a layer: 1 output channel, 1 input channel (all of
// them when 2:4 sparse, or when the input is an image on chip, which is read
// as a resident input), 1 output row, single-buffered.
TilePlan minimal_plan(const ConvSpec& s);

// Throws LayerDoesNotFit (InvalidInput) naming the layer and the buffer when not
// even the minimal plan fits.
void require_minimal_tile(const ConvSpec& s, const npu::Target& t);

// The fixed baseline: the largest tile that fits (output channels first, then
// input channels, then rows), single-buffered, no search.
TilePlan naive_plan(const ConvSpec& s, const npu::Target& t);

// How much work a search did: candidate plans scored, timing walks run
// (cost_model.h: the plan standing alone, prefetched, or the previous layer
// with its prefetch), and timings skipped because the plan's lower bound
// (plan_bound.h) showed they could not beat the best so far; and the
// timings of the winner under other requantization lags (TilePlan::requant_lag).
struct SearchStats {
  int64_t candidates = 0, timed = 0, pruned = 0, lag_timed = 0;
};

struct PlanChoice {
  TilePlan plan;       // predicted_cycles: from the previous layer's end to this one's
  PrefetchArrival in;  // when plan.prefetch: how its prefetch arrives
  int64_t end = 0;     // this layer's own end from its start
  // When plan.prefetch: the end of the layer it trails (the previous layer,
  // or with plan.prefetch_early the one before it) with the prefetch trailing it.
  int64_t prev_end = 0;
  int64_t score = std::numeric_limits<int64_t>::max();  // the search's objective (counts prev_end's growth)
  SearchStats stats;
};

// The cheapest plan by the cost model (the baseline is one of the candidates),
// then with its requantizations issued sooner when that ends the layer earlier.
// With `prev` (the layer emitted right before this one in the same segment,
// whose closing BARRIER is where this layer's prefetch is issued), every candidate is also scored with its first
// iteration's weights prefetched behind the previous layer, when both layers' weight regions fit the weight buffer side
// by side; the score then counts what the prefetch adds to the previous layer.
// With `before` too (the conv/gemm layer emitted before `prev`, when prev is a
// vector-unit layer), also prefetched behind that layer (TilePlan::prefetch_early),
// beside both layers' weights.
// With `must_beat`, only options scoring strictly below it are timed, and
// when none is, the choice has no plan (score: the maximum): what the
// compiler passes when it already has a plan of that score for the layer
// under another group packing.
PlanChoice search_plan(const ConvSpec& s, const npu::Target& t, const PrevLayer* prev = nullptr,
                       const PrevLayer* before = nullptr, int64_t must_beat = std::numeric_limits<int64_t>::max());

}  // namespace etch::compiler
