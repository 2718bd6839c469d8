// The mapper: per conv/gemm layer, searches tile sizes (output channels, input
// channels, output rows) and loop order under the buffer capacities, scores
// every candidate with the cost model and keeps the cheapest.
#pragma once
#include "etch/compiler/conv_spec.h"
#include "etch/compiler/tile_plan.h"
#include "etch/npu/target.h"

namespace etch::compiler {

// Throws InvalidInput naming the layer and the buffer when not even a minimal
// tile (1 output channel, 1 input channel, 1 output row, single-buffered) fits.
void require_minimal_tile(const ConvSpec& s, const npu::Target& t);

// The fixed baseline: the largest tile that fits (output channels first, then
// input channels, then rows), single-buffered, no search.
TilePlan naive_plan(const ConvSpec& s, const npu::Target& t);

// The cheapest plan by the cost model (the baseline is one of the candidates).
TilePlan search_plan(const ConvSpec& s, const npu::Target& t);

}  // namespace etch::compiler
