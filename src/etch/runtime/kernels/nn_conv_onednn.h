// Dense fp32 2-D convolution through oneDNN (Debian's libdnnl), whose blocked
// direct kernels are about 2x faster than im2col + sgemm on 3x3 convolutions
// with many channels (bench/README.md). oneDNN only computes the sums: the
// caller applies bias, summand, clamp and pool exactly as on the im2col path.
// Work is cut into fixed blocks of output channels × bands of output rows per
// image, each run by oneDNN on one thread; the blocks depend only on the
// shapes, so results never depend on the thread count.
#pragma once
#include <cstdint>

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

// x: batch × [c × in], w: [m × c × k], sums for every output into the sink.
// False (nothing written) where oneDNN has no kernel for the shape.
bool onednn_conv(const Geom3& g, int64_t batch, int64_t c, int64_t m, const float* x, const float* w,
                 const ConvBlockSink& sink);

}  // namespace etch::runtime
