// A lower bound on what the cost model (cost_model.h) predicts for a plan,
// from the schedule's loop nest alone: no step list is built and nothing is
// timed, so the mapper can discard a candidate that cannot beat the best
// found so far for a few hundred operations instead of a timing walk over
// tens of thousands of steps. The bound holds because the timing walk
// (step_timing.cc) enforces, among others, these constraints:
// - DRAM: every transfer of the layer occupies the one channel in disjoint
//   intervals starting at or after 0, and the layer ends no earlier than the
//   last transfer's arrival (its occupancy plus the DRAM latency);
// - array: MATMULs start in program order, each no earlier than the previous
//   one's stream has finished; the first waits for the first iteration's
//   input and parameters (behind its first fold's weights on the load
//   queue), and the layer ends no earlier than the last tile's REQUANT (after
//   the last MATMUL's drain) and STORE have completed.
// An input image on chip (ConvSpec::in_image) loads nothing; an output image
// stores nothing (its halo loads are left out: the bound stays below).
#pragma once
#include <cstdint>
#include <vector>

#include "etch/compiler/conv_spec.h"
#include "etch/compiler/schedule.h"  // fold_k
#include "etch/compiler/tile_plan.h"
#include "etch/npu/target.h"

namespace etch::compiler {

class PlanBound {
 public:
  PlanBound(const ConvSpec& s, const TilePlan& p, const npu::Target& t);
  // A lower bound on conv_timing(s, p, t).end standing alone.
  int64_t alone() const { return bound(false, 0); }
  // ... and on conv_timing(s, p, t, in).end when the first iteration's
  // first `prefetched_folds` folds and its parameters arrive before the layer
  // starts (times from the layer's start are >= 0, so the bound assumes 0).
  int64_t prefetched(int64_t prefetched_folds) const { return bound(true, prefetched_folds); }

 private:
  int64_t bound(bool prefetched, int64_t skip) const;

  int64_t latency_ = 0;
  int64_t rest_dram_ = 0;             // occupancy of every transfer but the first iteration's weights and parameters
  std::vector<int64_t> first_folds_;  // per fold of the first iteration: its weights' occupancy
  int64_t first_x_ = 0, first_params_ = 0;  // the first iteration's input and parameter loads' occupancy
  int64_t streams_ = 0;                     // every MATMUL's stream cycles
  int64_t tail_ = 0;                        // after the last stream: drain, the last REQUANT, its STORE, the latency
};

}  // namespace etch::compiler
