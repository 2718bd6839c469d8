// Resize / Upsample as per-axis tap lists. Every supported mode is
// separable: output index x of an axis reads input indices idx[begin[x] ..
// begin[x+1]) with weights w (nearest: one tap of weight 1; an empty list
// means extrapolation). Semantics follow the ONNX reference implementation
// (coordinate transforms, nearest rounding, cubic coefficients with optional
// exclude_outside, tf_crop_and_resize extrapolation). The runtime's kernels
// resample with these lists and the training rule scatters gradients back
// through the same ones, so the two cannot disagree.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "etch/ir/graph.h"
#include "etch/ir/ops/nn_params.h"

namespace etch::ir {

struct ResizeTaps {
  bool identity = true;        // the axis is copied unchanged
  std::vector<int64_t> begin;  // per output index: offset into idx/w; extrapolate if count 0
  std::vector<int64_t> idx;
  std::vector<float> w;
};

struct ResizeOptions {
  std::string mode, coord, nearest;
  float cubic_a = -0.75f, extrapolation = 0.0f;
  bool exclude_outside = false;
};

// The node's attributes (Upsample and opset < 11 forms included); throws
// InvalidInput naming the node for an unknown mode.
ResizeOptions resize_options(const Node& n);

// A node's taps, one list per axis of its input x, from its input values
// (inputs[i] null when absent; an empty roi/scales/sizes counts as absent);
// `spec` receives resolve_resize's result.
std::vector<ResizeTaps> resize_node_taps(const Node& n, const ResizeOptions& o, const Shape& x,
                                         const std::vector<const Tensor*>& inputs, ResizeSpec& spec);

}  // namespace etch::ir
