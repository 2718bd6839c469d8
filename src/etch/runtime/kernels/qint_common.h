// Helpers shared by etch's integer kernels (ai.etch ops,
// docs/quantization.md). The attributes themselves are parsed and checked once,
// by ir/ops/qint_params.h.
#pragma once
#include <cstdint>

#include "etch/ir/ops/qint_params.h"
#include "etch/runtime/kernel_registry.h"
#include "etch/runtime/requantize.h"

namespace etch::runtime::qint {

inline QuantizedMultiplier multiplier(const ir::RequantPair& p) { return {p.multiplier, p.shift}; }

// An int32 accumulator to the op's int8 output (zero point, clamp range).
inline int8_t requantize_output(int32_t acc, const ir::RequantPair& m, const ir::QOutput& y) {
  return static_cast<int8_t>(requantize(acc, multiplier(m), y.zero_point, y.act_min, y.act_max));
}

// acc + bias with int32 wrap-around, the arithmetic of a 32-bit accumulator.
inline int32_t wrapping_add(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}

}  // namespace etch::runtime::qint
