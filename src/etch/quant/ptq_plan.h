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
  // value -> value whose parameters it takes, with its own Q/DQ: a Concat
  // that only pads its one activation input with zeros keeps that input's
  // grid, and an input read by a Concat alone is written on the Concat's
  // grid (TFLite's "same scale" for concatenation), so neither needs a
  // rescaling table. Calibrated all the same (QAT keeps its own ranges).
  std::map<ir::ValueId, ir::ValueId> inherited;
  // Quantized output of a Conv/Gemm/Add -> the Relu/Clip fused into it that
  // produces it (passes/activation_fusion.h).
  std::map<ir::ValueId, ir::NodeId> fused;
  // Nodes a quantization rule exists for but whose selector refused them,
  // with the reason (quant_rule.h); they stay float.
  std::map<ir::NodeId, std::string> refused;
  bool contains(ir::ValueId v) const;
};

// keep_float: node names left in float. Which ops quantize, and how, is the
// quantization rule registry's (quant_rule.h, rules/*.cc): compute rules (Conv,
// Gemm, Add, AveragePool, GlobalAveragePool, Concat) quantize their activation
// inputs and output, with a fused Relu/Clip absorbed; data-movement rules share
// their input's parameters; lookup-table rules quantize the output of an
// already quantized input. Outputs of ops with ir::OpTrait::kUnitIntervalOutput
// get fixed parameters (1/256, -128).
QuantPlan plan_quantization(const ir::Graph& g, const std::set<std::string>& keep_float);

}  // namespace etch::quant
