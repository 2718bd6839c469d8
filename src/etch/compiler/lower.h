// Lowering of single graph nodes: whether a node can run on the NPU (the
// generic checks, then its op's entry in the lowering registry, lowering.h),
// and the conv/gemm layer spec shared by the array lowerings.
#pragma once
#include <optional>
#include <string>

#include "etch/compiler/conv_spec.h"
#include "etch/ir/graph.h"

namespace etch::compiler {

// Batch-1 shape of a value (a leading -1 or 1 becomes 1); empty if unknown.
Shape batch1_shape(const ir::Value& v);

// Why `n` runs on the host ("" when the NPU can run it).
std::string host_reason(const ir::Graph& g, const ir::Node& n);

// Padding `n` reads around its first input (0 for most ops).
int64_t input_pad(const ir::Node& n);

// Zero point of the integer tensor `n` produces (from its attributes), or
// nullopt if the node does not say (data movement keeps its input's).
std::optional<int32_t> output_zero_point(const ir::Graph& g, const ir::Node& n);

// QConv (gemm = false) or QGemm (gemm = true) as an array layer: weights,
// bias with the input zero point folded in, per-channel requantization.
ConvSpec lower_conv(const ir::Graph& g, const ir::Node& n, const npu::TensorDesc& in, const npu::TensorDesc& out,
                    bool gemm);

}  // namespace etch::compiler
