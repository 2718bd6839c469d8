// Geometry of sliding-window ops (Conv, ConvTranspose, pooling): resolves the
// ONNX attributes kernel_shape / strides / dilations / pads / auto_pad /
// ceil_mode into explicit per-dimension numbers. Shared by shape inference and
// the kernels so that both agree on one definition. Unknown input dims (-1)
// give unknown output dims.
#pragma once
#include <cstdint>
#include <vector>

#include "etch/ir/graph.h"

namespace etch::ir {

struct Window {
  int nd = 0;  // number of spatial dims
  std::vector<int64_t> in, kernel, strides, dilations, pad_begin, pad_end, out;
};

// Conv / pooling. `kernel` comes from kernel_shape or the weight. `ceil_mode`
// only applies with explicit pads (NOTSET), as in ONNX.
Window resolve_window(const Node& n, const std::vector<int64_t>& in_spatial, const std::vector<int64_t>& kernel,
                      bool ceil_mode);

// ConvTranspose: honours output_padding and output_shape.
Window resolve_transpose_window(const Node& n, const std::vector<int64_t>& in_spatial,
                                const std::vector<int64_t>& kernel);

}  // namespace etch::ir
