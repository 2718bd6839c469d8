// Reading and writing QuantizeLinear/DequantizeLinear pairs: the small helpers
// PTQ, QAT, lowering and the error report share.
#pragma once
#include <optional>
#include <string>

#include "etch/core/tensor.h"
#include "etch/ir/graph.h"

namespace etch::quant {

// Parameters of a QuantizeLinear/DequantizeLinear node whose scale and zero
// point are constants (zero point absent: 0). std::nullopt otherwise. axis is
// -1 for per-tensor parameters.
std::optional<QuantParams> qdq_params(const ir::Graph& g, const ir::Node& n);

// Appends Q (float → int8) and DQ (int8 → float) for activation `v`, sharing
// one scale and one zero-point constant. Returns {q value, dq value}. Names
// are short ("a<id>q", "a<id>d"): the float tensor keeps its own name.
std::pair<ir::ValueId, ir::ValueId> add_qdq(ir::Graph& g, ir::ValueId v, const QuantParams& p);

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
