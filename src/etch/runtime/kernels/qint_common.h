// Attribute decoding shared by etch's integer kernels (ai.etch ops,
// docs/quantization.md). The schemas have already range-checked the values.
#pragma once
#include <cstdint>
#include <vector>

#include "etch/ir/graph.h"
#include "etch/runtime/kernel_registry.h"
#include "etch/runtime/requantize.h"

namespace etch::runtime::qint {

// Per-channel requantization of a QConv/QGemm node: `channels` entries (one
// attribute entry is broadcast), plus the output zero point and clamp range.
struct ChannelRequant {
  std::vector<QuantizedMultiplier> m;
  int32_t zero_point = 0, act_min = -128, act_max = 127;
  int8_t apply(int32_t acc, int64_t channel) const {
    return static_cast<int8_t>(requantize(acc, m[static_cast<size_t>(channel)], zero_point, act_min, act_max));
  }
};
ChannelRequant channel_requant(const ir::Node& n, int64_t channels);

// One (multiplier, shift) pair from attributes `<prefix>multiplier` and
// `<prefix>shift` (QAdd's a_/b_/y_, QAveragePool's unprefixed ones).
QuantizedMultiplier scalar_requant(const ir::Node& n, const std::string& prefix);

// acc + bias with int32 wrap-around, the arithmetic of a 32-bit accumulator.
inline int32_t wrapping_add(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}

}  // namespace etch::runtime::qint
