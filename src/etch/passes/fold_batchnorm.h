#pragma once
#include "etch/passes/pass.h"

namespace etch::passes {
// Conv/Gemm followed by an inference BatchNormalization with constant
// parameters becomes one Conv/Gemm with scaled weights and shifted bias:
// W' = W·γ/√(σ²+ε) per output channel, b' = (b − μ)·γ/√(σ²+ε) + β.
// Only when the BatchNorm is the producer's sole consumer.
bool fold_batchnorm(ir::Graph& g, const PassContext& ctx);
}  // namespace etch::passes
