#pragma once
#include "etch/passes/pass.h"

namespace etch::passes {
// A zero constant Pad of the spatial dims whose only consumer is a float Conv
// (TensorFlow exports write "same" padding of strided convs this way) becomes
// the Conv's own padding: the conv reads implicit zeros instead of a padded
// copy of the whole tensor. The taps see the same values, so the outputs are
// the same. Only for execution (the inference pipeline). An int8 Pad with the
// zero point before a QConv joins it the same way (quant::lower_qdq runs this
// on the integer graph), so the NPU and the integer runtime skip the copy.
bool fuse_pad_conv(ir::Graph& g, const PassContext& ctx);
}  // namespace etch::passes
