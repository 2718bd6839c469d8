// What a node is to the NPU compiler, answered through the lowering
// registry (lowering.h): a model boundary, a view, an op keeping its input's
// quantization, a float layer quantization would make an NPU op; and the
// constant scale and zero point of a boundary op.
#pragma once
#include <cstdint>

#include "etch/compiler/lowering.h"
#include "etch/ir/graph.h"

namespace etch::compiler {

// A QuantizeLinear/DequantizeLinear-like node's constant scale (input 1) and
// zero point (input 2); 1 and 0 when not constant.
float constant_scale(const ir::Graph& g, const ir::Node& n);
int32_t constant_zp(const ir::Graph& g, const ir::Node& n);

bool is_boundary(const ir::Node& n, Boundary role);

// The input whose scale and zero point n's output keeps (kNoValue: none). A
// Concat's constant inputs were quantized onto its grid, so any other input
// gives it.
ir::ValueId kept_quantization_input(const ir::Graph& g, const ir::Node& n);

bool is_view(const ir::Node& n);

// A float layer that quantization would turn into an op the NPU runs.
bool is_float_form(const ir::Node& n);

}  // namespace etch::compiler
