// Geometry of an ONNX Conv-style node (ConvInteger, QLinearConv): resolves
// strides, dilations, pads and auto_pad against concrete input and weight
// shapes. Shared by shape inference and the integer conv kernels so that both
// agree on output sizes by construction.
#pragma once
#include <cstdint>
#include <vector>

#include "etch/ir/graph.h"

namespace etch::ir {

struct ConvGeometry {
  int64_t batch = 0, in_channels = 0, out_channels = 0, group = 1;
  // Spatial dims, always padded to 3 (leading dims of size 1, kernel 1,
  // stride 1, no pad) so that kernels handle 1-D, 2-D and 3-D conv alike.
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, kernel[3] = {1, 1, 1};
  int64_t stride[3] = {1, 1, 1}, dilation[3] = {1, 1, 1}, pad_begin[3] = {0, 0, 0};
  int spatial_rank = 0;  // 1..3 as in the model
  Shape output_shape;    // N, M, spatial... (unknown dims stay -1)
};

// The padded input extent the windows read along spatial axis `axis` (0-2),
// from the first padded row or column: (out − 1)·stride + (kernel − 1)·dilation + 1.
inline int64_t window_extent(const ConvGeometry& g, int axis) {
  return (g.out[axis] - 1) * g.stride[axis] + (g.kernel[axis] - 1) * g.dilation[axis] + 1;
}

// x: [N, C, spatial...], w: [M, C/group, kernel...]. Throws InvalidInput naming
// the node on inconsistent shapes or attributes. Unknown (-1) dims in x give
// -1 output dims; channel checks are skipped when a channel dim is unknown.
ConvGeometry resolve_conv_geometry(const Node& n, const Shape& x, const Shape& w);

}  // namespace etch::ir
