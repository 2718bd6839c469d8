// Ranges → etch::QuantParams, following DESIGN.md "Quantization spec"
// (TFLite's int8 scheme; real = scale · (q − zero_point)).
#pragma once
#include <string_view>

#include "etch/core/tensor.h"
#include "etch/quant/observer.h"

namespace etch::quant {

// Activations: asymmetric int8 [−128, 127], per tensor. The range is first
// widened to include 0 (so 0 is exactly representable, as padding and ReLU
// need), then scale = (max − min) / 255 and zero_point = round(−128 − min /
// scale) (half away from zero), clamped to [−128, 127].
// A zero-width range (an all-zero tensor, or one so narrow that the scale would
// not be a normal float) yields scale 1, zero_point 0: every observed value
// (≈ 0) quantizes to 0 and dequantizes exactly, and no division by zero occurs
// downstream. A non-finite or inverted range throws InvalidInput naming `name`.
QuantParams activation_params(Range r, std::string_view name);

// Weights: symmetric (zero_point 0) in [−q, q] with q = 127 for bits = 8 and
// q = 7 for bits = 4; scale = max|w| / q per output channel (axis 0, one
// scale per slice w[c, ...]) or per tensor. A channel (or tensor) that is all
// zeros (max|w|/q not a normal float) gets scale 1, so it quantizes to 0.
// NaN/Inf anywhere throws InvalidInput naming `name`, the element and the
// value; so does a tensor that is not F32 or a per-channel request on a scalar.
QuantParams weight_params(const Tensor& w, std::string_view name, int bits = 8, bool per_channel = true);

// Bias of a Conv/Gemm as int32 on the accumulator's scale s_x·s_w[c] (zero
// point 0), rounded half away from zero and saturated: the one rule PTQ and
// QDQ lowering share. `params`, when given, receives the bias's parameters
// (per channel on axis 0 when w is).
Tensor int32_bias(const std::vector<double>& bias, float x_scale, const QuantParams& w, QuantParams* params = nullptr);

}  // namespace etch::quant
