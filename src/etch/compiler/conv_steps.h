// A conv/gemm layer's schedule as a step list (layer_steps.h): the one
// description of the layer that the emitter and the cost model both use.
#pragma once
#include "etch/compiler/conv_instrs.h"
#include "etch/compiler/conv_spec.h"
#include "etch/compiler/layer_steps.h"
#include "etch/compiler/schedule.h"
#include "etch/compiler/tile_plan.h"

namespace etch::compiler {

// How the layer's first iteration arrives: its weights (plan.prefetched_folds
// of them) and parameters loaded before the layer's BARRIER, and optionally
// its first PRELOAD run there too.
struct PrefetchMode {
  bool prefetch = false, preload = false;
};

// The steps of the layer under `sc` (made from plan p). With `place`, every
// step carries its instruction; without, only its timing footprint.
LayerSteps conv_steps(const ConvSpec& s, const TilePlan& p, const npu::Target& t, const Schedule& sc, PrefetchMode mode,
                      const ConvPlace* place = nullptr);

// Only the prefetch steps of the layer (with its first PRELOAD), as the
// previous layer issues them.
LayerSteps conv_prefetch_steps(const ConvSpec& s, const TilePlan& p, const npu::Target& t, const Schedule& sc);

}  // namespace etch::compiler
