// Post-training quantization: a float graph and calibration data in, a QDQ
// graph out — the float graph with QuantizeLinear/DequantizeLinear pairs on
// every activation that enters an integer op and int8/int4/int32 constants
// behind DequantizeLinear for weights and biases (the form ONNX Runtime runs).
// lower_qdq.h turns exactly this graph into etch's integer ops, so the
// exported ONNX and the integer program never disagree about parameters.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "etch/data/dataset.h"
#include "etch/ir/graph.h"
#include "etch/quant/calibrator.h"
#include "etch/quant/cross_layer_equalization.h"

namespace etch::quant {

struct PtqOptions {
  Calibration calibration = Calibration::SampleMse;  // docs/quantization.md: best on the corpus, as good on the zoo
  double percentile = 99.99;                         // Calibration::Percentile
  int64_t calib_samples = 512;                       // images drawn (seeded) from the calibration set
  int64_t calib_batch = 32;                          // the set must hold at least one batch
  bool per_channel = true;                           // weights: one scale per output channel
  int weight_bits = 8;                               // 8 or 4 (W4A8)
  std::map<std::string, int> bits_per_layer;         // node name -> 8 | 4, overrides weight_bits
  std::set<std::string> keep_float;                  // node names left in float (fenced by Q/DQ)
  bool bias_correction = false;                      // shift biases by the mean error of the quantized weights
  Equalization equalization = Equalization::kActivations;  // cross-layer equalization before calibration
  // int4 weights on disk: packed two per byte behind ai.etch.UnpackInt4
  // (default), or as int8 values in [-7, 7] that ONNX Runtime can load.
  bool int4_as_int8 = false;
  // Biases in the QDQ file: float (default; TensorRT's QDQ convention, and
  // lower_qdq quantizes them to int32 on the scale s_x·s_w[c] with
  // round-half-away, exactly as PTQ would) or int32 behind DequantizeLinear
  // (ONNX Runtime's quantizer convention).
  bool int32_bias = false;
  uint64_t seed = 1;
};

// Throws InvalidInput for: an already quantized model, a calibration set
// smaller than one batch (or not fitting the model input), NaN/Inf in a weight
// (naming the tensor), keep_float / bits_per_layer naming a node that does not
// exist, bits other than 4 or 8. Graph preparation (passes/pipeline.h) runs
// first, so BatchNormalization is folded and fully connected layers are Gemm
// with transB = 1.
ir::Graph quantize_ptq(const ir::Graph& float_graph, const data::Dataset& calib, const PtqOptions& opts);

// quantize_ptq after its checks and prepare_for_ptq: for a caller that keeps
// the prepared graph (quantize_model compares with it) and should not equalize
// twice.
ir::Graph quantize_prepared(ir::Graph prepared, const data::Dataset& calib, const PtqOptions& opts);

// The prepared float graph quantize_ptq starts from (BN folded, Gemm canonical).
ir::Graph prepare_for_quantization(const ir::Graph& float_graph);

// prepare_for_quantization, then opts.equalization (cross_layer_equalization.h)
// on calibration data: the float graph PTQ calibrates and quantizes, and the
// one its per-layer report compares against. Same function as the input.
ir::Graph prepare_for_ptq(const ir::Graph& float_graph, const data::Dataset& calib, const PtqOptions& opts);

// True when the graph already holds quantization (QuantizeLinear,
// DequantizeLinear, QLinear*/…Integer ops or ai.etch integer ops); `what`
// receives a description of the first such node.
bool is_quantized(const ir::Graph& g, std::string* what = nullptr);

// Parses "conv1=4,fc=8" (or one "name=bits" per line, '#' comments) into
// PtqOptions::bits_per_layer. Throws InvalidInput naming the bad entry.
std::map<std::string, int> parse_bits_per_layer(const std::string& spec);

}  // namespace etch::quant
