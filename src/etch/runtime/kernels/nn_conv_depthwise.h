// Direct depthwise 2-D convolution (group == input channels == output
// channels): each output plane is one input plane filtered by its own k×k
// kernel, so im2col + GEMM would multiply 1×k² by k²×N matrices, one plane at a
// time. This computes each output row directly in vector registers instead.
#pragma once
#include <cstdint>

#include "etch/runtime/kernels/nn_im2col.h"

namespace etch::runtime {

// What follows the convolution on each output element: y = act(acc + bias).
struct DepthwiseEpilogue {
  const float* bias = nullptr;  // one per channel, or null
  bool clamp = false;
  bool relu = false;  // clamp to [0, inf) exactly as the Relu kernel does
  float lo = 0.0f, hi = 0.0f;
};

// True if g (2-D or 1-D: no depth) is handled by depthwise_conv2d.
bool depthwise_conv2d_supported(const Geom3& g);

// x: batch × channels planes of g.in; w: channels × g.k_size(); y: batch ×
// channels planes of g.out. Each output element is the fused multiply-add of
// its in-image taps in (kh, kw) order starting from 0, then the epilogue, so
// the result does not depend on the thread count or on the CPU's vector width.
void depthwise_conv2d(const Geom3& g, int64_t batch, int64_t channels, const float* x, const float* w,
                      const DepthwiseEpilogue& e, float* y);

}  // namespace etch::runtime
