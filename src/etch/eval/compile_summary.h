// What `etch compile --json` reports about a compiled model (and the Python
// Program's placements/plans): where every node runs and why, the MAC split,
// each NPU layer's tiling with predicted cycles and utilization, and the
// program's size.
#pragma once
#include <nlohmann/json.hpp>

#include "etch/compiler/compiler.h"
#include "etch/npu/target.h"

namespace etch::eval {

// Keys: placements, npu_macs, host_macs, layers, instructions, weight_bytes,
// segments, standalone.
nlohmann::json compile_summary_json(const compiler::CompiledModel& m, const npu::Target& t);

// Predicted array utilization of a layer: MACs / (rows * cols * predicted cycles).
double predicted_utilization(const compiler::LayerReport& l, const npu::Target& t);

}  // namespace etch::eval
