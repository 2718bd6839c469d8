// Shared checks of etch's integer ops (ai.etch domain; docs/quantization.md).
#pragma once
#include <cstdint>

#include "etch/ir/graph.h"

namespace etch::ir {

inline constexpr const char* kEtchDomain = "ai.etch";

// A (multiplier, shift) pair as runtime::quantize_multiplier encodes it:
// multiplier in [2^30, 2^31) and shift in [-31, 30], or (0, 0) for a zero
// multiplier. Throws InvalidInput naming the node otherwise.
void check_requant_pair(const Node& n, int64_t multiplier, int64_t shift);
// act_min/act_max (defaults −128/127) inside [−128, 127] and ordered.
void check_activation_range(const Node& n);

}  // namespace etch::ir
