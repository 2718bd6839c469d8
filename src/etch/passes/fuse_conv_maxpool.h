#pragma once
#include "etch/passes/pass.h"

namespace etch::passes {
// An ai.etch.FusedConv whose only consumer is an unpadded 2-D MaxPool (no
// dilation, floor mode, no indices output) takes the pool over as its
// pool_kernel/pool_strides attributes: the float runtime pools each image's
// conv output while it is in cache and never writes the unpooled tensor.
// Runs after fuse_conv_activation; only for execution, like it.
bool fuse_conv_maxpool(ir::Graph& g, const PassContext& ctx);
}  // namespace etch::passes
