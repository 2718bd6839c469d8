// Dilated fp32 2-D convolution (stride 1) as ordinary convolutions of the
// input's phase images, as TensorFlow's SpaceToBatch does: with dilation
// (dh, dw), output row a + dh·u and column b + dw·v read only input rows and
// columns of the same phase (a, b), so each phase is a dense, undilated
// convolution of a dh·dw times smaller image. The phases go to oneDNN as one
// batch, where 3x3 layers get its Winograd kernels, which take no dilation.
#pragma once
#include <cstdint>

#include "etch/runtime/kernels/nn_conv_onednn.h"

namespace etch::runtime {

// True where dilated_conv_sums is used: 2-D, stride 1, a dilation above 1,
// and the undilated convolution of one phase image on the oneDNN path.
bool dilated_conv_by_phases_supported(const Geom3& g, int64_t groups, int64_t c, int64_t m);

// x: batch × [c × in], w: [m × c × k]; writes the sums (no bias) of every
// output to y: batch × [m × out]. False (nothing written) where oneDNN has no
// kernel for the phase convolution. `cache`: as for onednn_conv.
bool dilated_conv_sums(const Geom3& g, int64_t batch, int64_t c, int64_t m, const float* x, const float* w, float* y,
                       OnednnWeightCache* cache);

}  // namespace etch::runtime
