// Reading and writing QuantizeLinear/DequantizeLinear pairs: the small helpers
// PTQ, QAT, lowering and the error report share.
#pragma once
#include <map>
#include <optional>
#include <string>

#include "etch/core/tensor.h"
#include "etch/ir/graph.h"
#include "etch/ir/ops/quant_linear.h"

namespace etch::quant {

using ir::kDequantizeLinear;
using ir::kQuantizeLinear;
inline bool is_quantize(const ir::Node& n) { return ir::is_quantize_linear(n); }
inline bool is_dequantize(const ir::Node& n) { return ir::is_dequantize_linear(n); }

// Parameters of a QuantizeLinear/DequantizeLinear node whose scale and zero
// point are constants (zero point absent: 0). std::nullopt otherwise. axis is
// -1 for per-tensor parameters.
std::optional<QuantParams> qdq_params(const ir::Graph& g, const ir::Node& n);

// Appends Q (float → int8) and DQ (int8 → float) for activation `v`, sharing
// one scale and one zero-point constant. Returns {q value, dq value}. Names
// are short ("a<id>q", "a<id>d"): the float tensor keeps its own name.
// zero_points, when given, maps zero points to int8 scalar constants already
// in g: equal zero points share one constant (named "z<zp>", "zm<-zp>" when
// negative) and new ones are added to it.
std::pair<ir::ValueId, ir::ValueId> add_qdq(ir::Graph& g, ir::ValueId v, const QuantParams& p,
                                            std::map<int32_t, ir::ValueId>* zero_points = nullptr);

// True when clamping to [lo, hi] (a fused Relu or Clip) right before
// QuantizeLinear with per-tensor int8 parameters p changes no output:
// QuantizeLinear is monotone and saturates at -128 and 127, so
// Q(clamp(x, lo, hi)) == Q(x) for every x exactly when Q(lo) == -128 and
// Q(hi) == 127. Checked with a margin of 1/1000 of a step beyond the rounding
// boundary, so it holds for any round-to-nearest QuantizeLinear (ONNX's half to
// even, half away, x/s or x·(1/s) in float); an unbounded side (lo = -inf,
// hi = +inf) always passes.
bool clamp_is_redundant(float lo, float hi, const QuantParams& p);

// Appends DequantizeLinear of constant integer tensor `q` (weights, biases;
// zero point 0 and therefore omitted). axis used when p is per channel.
// Names: "<name>s" (scale) and "<name>d" (output).
ir::ValueId add_dequantize_const(ir::Graph& g, ir::ValueId q, const QuantParams& p, const std::string& name);

// "<prefix><id>", the short names of added tensors.
std::string short_name(char prefix, int id);

// The producing node of v, or nullptr.
const ir::Node* producer_of(const ir::Graph& g, ir::ValueId v);

// Signal-to-quantization-noise ratio 20·log10(‖x‖ / ‖x − y‖) in dB (+inf for
// identical tensors), float tensors of equal size.
double sqnr_db(const Tensor& x, const Tensor& y);

}  // namespace etch::quant
