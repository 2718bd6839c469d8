// Dense fp32 2-D convolution through oneDNN (Debian's libdnnl), whose blocked
// direct kernels are about 2x faster than im2col + sgemm on 3x3 convolutions
// with many channels (bench/README.md). oneDNN only computes the sums: the
// caller applies bias, summand, clamp and pool exactly as on the im2col path.
// Work is cut into fixed blocks of output channels × bands of output rows per
// image, each run by oneDNN on one thread; the blocks depend only on the
// shapes, so results never depend on the thread count.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "etch/runtime/kernels/conv_block_sink.h"
#include "etch/runtime/kernels/nn_im2col.h"

namespace etch::runtime {

// True where the oneDNN path is used: one group, 2-D (or 1-D) windows, and
// enough work per output to beat im2col (see the .cc for the measured rule).
bool onednn_conv_supported(const Geom3& g, int64_t groups, int64_t c, int64_t m);

// Turns the oneDNN path off (true) or back on: tests compare it with im2col.
void set_onednn_conv_disabled(bool disabled);

// Sums of every block go to the sink as the blocks finish (conv_block_sink.h).
using ConvBlockSink = BlockSink<float>;

namespace onednn {
struct Plan;
}

// A layer's weights in the layouts of its oneDNN plan, kept by a conv kernel
// whose weights are a graph constant so that they are reordered (for
// Winograd, transformed) on its first call only.
struct OnednnWeightCache {
  std::shared_ptr<const onednn::Plan> plan;
  std::vector<uint8_t> reordered;
};

// x: batch × [c × in], w: [m × c × k], sums for every output into the sink.
// False (nothing written) where oneDNN has no kernel for the shape. `cache`:
// null to reorder the weights in this call.
bool onednn_conv(const Geom3& g, int64_t batch, int64_t c, int64_t m, const float* x, const float* w,
                 const ConvBlockSink& sink, OnednnWeightCache* cache = nullptr);

}  // namespace etch::runtime
