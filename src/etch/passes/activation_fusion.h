// Which activations fuse into their producer. The NPU's vector unit applies
// ReLU and Clip (ReLU6) as the clamp at the end of requantization, so a
// Conv/Gemm/Add followed by one of them is one integer op (QConv/QGemm/QAdd
// with act_min/act_max): quantization places no quantize/dequantize between the
// two, and lowering folds the pair. This is the one definition both use.
#pragma once
#include <limits>
#include <optional>
#include <string>

#include "etch/passes/pass.h"

namespace etch::passes {

struct ActivationFusion {
  ir::NodeId producer = -1;
  ir::NodeId activation = -1;
  std::string kind;  // "relu" or "clip"
  float lo = 0.0f;
  float hi = std::numeric_limits<float>::infinity();
};

// True for the ops an activation can fuse into (ir::OpTrait::kFusesActivation:
// Conv, Gemm, Add).
bool accepts_fused_activation(const ir::Node& producer);

// The activation fused into `producer`: its only output feeds exactly one node,
// a Relu or a Clip with constant (or attribute) bounds whose range contains 0,
// and is not a graph output. std::nullopt otherwise.
std::optional<ActivationFusion> fused_activation(const ir::Graph& g, const ir::Node& producer);

// The [lo, hi] an activation node clamps to, when it is a Relu or Clip with
// known bounds (used for standalone activations too).
std::optional<ActivationFusion> activation_bounds(const ir::Graph& g, const ir::Node& act);

}  // namespace etch::passes
