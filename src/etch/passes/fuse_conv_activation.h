#pragma once
#include "etch/passes/pass.h"

namespace etch::passes {
// Conv followed by its only consumer, a Relu or a Clip with constant bounds,
// becomes one ai.etch.FusedConv (activation "Relu" or "Clip" with
// activation_params [min, max]), so the float runtime clamps each output tile
// while it is still in cache instead of streaming the tensor a second time.
// Only for execution: quantization and the NPU read the unfused pair.
bool fuse_conv_activation(ir::Graph& g, const PassContext& ctx);
}  // namespace etch::passes
