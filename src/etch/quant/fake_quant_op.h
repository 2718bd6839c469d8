// ai.etch.FakeQuantize(x, scale, zero_point) -> float: the QAT forward,
//   y = (clamp(round_half_even(x / scale) + zero_point, quant_min, quant_max) − zero_point) · scale,
// exactly what QuantizeLinear followed by DequantizeLinear computes (ONNX
// rounding), so training sees the values the QDQ export will produce.
// scale / zero_point (float tensors) are scalars or one per slice along
// attribute `axis` (per-channel weights). Attributes quant_min, quant_max.
// Its gradient (train/grads/fake_quant.cc) is the straight-through estimator:
// dy passes where the value was not clamped, 0 elsewhere.
#pragma once

#include "etch/ir/graph.h"

namespace etch::quant {
inline constexpr const char* kFakeQuantize = "FakeQuantize";
bool is_fake_quantize(const ir::Node& n);
}  // namespace etch::quant
