// Integer convolution sums through oneDNN's int8 kernels (u8 or s8 inputs,
// s8 weights, s32 sums), which multiply with VNNI or AMX dot products and
// add in int32: the sums are exact, so the bits are integer_conv_reference's.
// Only where the CPU has VNNI or AMX: without them oneDNN pairs products in
// vpmaddubsw, whose int16 sums saturate, and the path is not taken. Padding
// holds the input zero point (as ai.etch.QConv and ONNX specify): the input
// is copied once into a buffer padded with it, and x_zero · Σw is taken off
// each output channel's sums.
#pragma once
#include <cstdint>
#include <vector>

#include "etch/ir/ops/quant_conv_geometry.h"
#include "etch/runtime/kernels/quant_conv_core.h"

namespace etch::runtime {

// Whether the CPU (as oneDNN sees it) has VNNI or AMX int8 dot products.
bool onednn_int8_dot_products();

// True where the path runs: a CPU with VNNI or AMX, one group, 1-D or 2-D
// windows, weights that fit int8, sums that cannot leave int32, and enough
// work per call (bench/README.md).
bool onednn_integer_conv_supported(const ir::ConvGeometry& g, const std::vector<int32_t>& w_centered);

// False (nothing computed) where oneDNN has no kernel for the shape. What it
// derives from the weights goes into `cache` and is taken from there when
// present (for the plan it was made for).
template <typename T>
bool onednn_integer_conv(const ir::ConvGeometry& g, const T* x, int32_t x_zero, const std::vector<int32_t>& w_centered,
                         const IntConvEpilogue& epilogue, IntConvWeightCache& cache);

}  // namespace etch::runtime
