// The domain of etch's integer ops (docs/quantization.md); their typed
// parameters are in qint_params.h.
#pragma once
#include <cstdint>

#include "etch/ir/graph.h"

namespace etch::ir {

inline constexpr const char* kEtchDomain = "ai.etch";

}  // namespace etch::ir
