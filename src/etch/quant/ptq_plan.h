// Which tensors of a prepared float graph PTQ quantizes, and how each gets its
// parameters: calibrated, shared with the input of a data-moving op, or fixed
// (sigmoid-like outputs). Separate from ptq.cc so QAT places its fake-quantize
// nodes on exactly the same tensors.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "etch/core/tensor.h"
#include "etch/ir/graph.h"

namespace etch::quant {

struct WeightedLayer {
  ir::NodeId node = -1;               // Conv or Gemm (transB = 1)
  ir::ValueId input = ir::kNoValue;   // activation input (quantized)
  ir::ValueId output = ir::kNoValue;  // quantized output (after a fused activation)
};

struct QuantPlan {
  std::vector<ir::ValueId> values;            // activations to quantize, in graph order
  std::map<ir::ValueId, ir::ValueId> shared;  // value -> value whose parameters it reuses
  std::map<ir::ValueId, QuantParams> fixed;   // value -> fixed parameters
  std::vector<WeightedLayer> layers;          // layers whose weights are quantized
  // Quantized output of a Conv/Gemm/Add -> the Relu/Clip fused into it that
  // produces it (passes/activation_fusion.h).
  std::map<ir::ValueId, ir::NodeId> fused;
  bool contains(ir::ValueId v) const;
};

// keep_float: node names left in float. Ops recognised: Conv, Gemm (canonical),
// Add, AveragePool, GlobalAveragePool (integer compute); MaxPool, Reshape,
// Flatten, Transpose, Squeeze, Unsqueeze, Identity (data movement on int8);
// Relu/Clip fused into Conv/Gemm/Add; elementwise unary functions as lookup
// tables (Sigmoid, Tanh, HardSwish, HardSigmoid, standalone Relu/Clip, ...).
QuantPlan plan_quantization(const ir::Graph& g, const std::set<std::string>& keep_float);

// Element-wise unary ops lowered to a 256-entry table (QLut).
bool is_lut_op(const ir::Node& n);
// Ops that only move int8 data and keep their input's parameters.
bool is_data_movement(const ir::Node& n);

}  // namespace etch::quant
