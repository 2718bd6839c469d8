// Direct integer depthwise convolution (one input and one output channel per
// group) for CPUs with AVX2: the exact int32 sums of (x − x_zero)·w that
// integer_conv_reference computes, without im2col. Each plane is copied once
// into a zero-padded int16 buffer of centered values, its rows split by column
// phase when the stride along them is > 1; an output row is then pairs of
// taps interleaved and multiplied with vpmaddwd, 16 columns at a time.
#pragma once
#include <cstdint>
#include <vector>

#include "etch/ir/ops/quant_conv_geometry.h"
#include "etch/runtime/kernels/quant_conv_core.h"

namespace etch::runtime {

// True where integer_depthwise runs g: depthwise, 1-D or 2-D, on a CPU with AVX2.
bool integer_depthwise_supported(const ir::ConvGeometry& g);

// As integer_conv; the epilogue is called once per output plane.
template <typename T>
void integer_depthwise(const ir::ConvGeometry& g, const T* x, int32_t x_zero, const std::vector<int32_t>& w_centered,
                       const IntConvEpilogue& epilogue);

}  // namespace etch::runtime
