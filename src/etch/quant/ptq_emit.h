// The shared back half of PTQ and QAT: given a prepared float graph (weights
// final), its QuantPlan and the activation parameters, write the QDQ graph.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "etch/quant/ptq.h"
#include "etch/quant/ptq_plan.h"

namespace etch::quant {

// Validation quantize_ptq and quantize_qat share (see quantize_ptq).
void check_ptq_inputs(const ir::Graph& float_graph, const data::Dataset& calib, const PtqOptions& opts);

// act: parameters of every calibrated plan value (shared and fixed ones are
// filled in here). channel_means: per-channel input means of each weighted
// layer's input (needed only with opts.bias_correction).
ir::Graph emit_qdq(ir::Graph prepared, const QuantPlan& plan, std::map<ir::ValueId, QuantParams> act,
                   const PtqOptions& opts, const std::map<ir::ValueId, std::vector<double>>& channel_means,
                   const std::string& provenance);

}  // namespace etch::quant
