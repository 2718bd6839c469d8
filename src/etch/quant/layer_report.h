// Per-layer error analysis: for each quantized activation, the SQNR
// 20·log10(‖x‖/‖x − x̂‖) between the float model's activation x and the integer
// graph's dequantized one x̂ on calibration images (cumulative: it includes
// the error of every layer before), plus which quantizer dominates the
// layer's own error: its weights (SQNR of W vs its dequantized int8/int4
// values) or its output activation (SQNR of the float activation vs the same
// activation rounded to its own int8 grid). Sorted worst first.
#pragma once
#include <string>
#include <vector>

#include "etch/data/dataset.h"
#include "etch/ir/graph.h"

namespace etch::quant {

struct LayerError {
  std::string node;           // integer op (or data-moving op) producing the activation
  std::string op;             // its op type, e.g. QConv
  std::string value;          // the float activation's name
  double sqnr_db = 0;         // float vs dequantized integer activation
  double weight_sqnr_db = 0;  // +inf when the layer has no weights
  double act_sqnr_db = 0;     // the activation's own rounding/clipping
  std::string dominant;       // "weights" or "activations"
  bool float_entry = false;   // the activation is where float enters (a QuantizeLinear of a float tensor)
};

// prepared: quantize_ptq's starting point (prepare_for_quantization of the
// float model); qdq: quantize_ptq's result; integer: lower_qdq(qdq).
// samples images of `data` (the first ones) are used.
std::vector<LayerError> layer_errors(const ir::Graph& prepared, const ir::Graph& qdq, const ir::Graph& integer,
                                     const data::Dataset& data, int64_t samples = 256);

std::string layer_errors_json(const std::vector<LayerError>& errors);

}  // namespace etch::quant
