#pragma once
#include "etch/passes/pass.h"

namespace etch::passes {
// A float Conv whose only consumer is an Add of a same-shape tensor Z computed
// earlier, followed by a Relu or Clip (the residual block Conv→Add→Relu),
// becomes one ai.etch.FusedConv with Z as its fourth input: the runtime adds Z
// and clamps each output tile while it is in cache instead of streaming the
// tensor twice more. Same float operations in the same order, so the outputs
// are bit-identical. Only for execution (the inference pipeline).
bool fuse_conv_add(ir::Graph& g, const PassContext& ctx);
}  // namespace etch::passes
