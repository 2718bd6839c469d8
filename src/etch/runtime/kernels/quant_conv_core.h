// Integer convolution core shared by ConvInteger, QLinearConv and etch's QConv:
// exact int32 sums of (x − x_zero)·(w − w_zero) via im2col blocks. Padding
// contributes 0, i.e. pads hold the input zero point, as ONNX specifies.
// integer_conv runs AVX2 kernels where the CPU has them (depthwise directly,
// quant_conv_depthwise.h; the rest as vpmaddwd on int16 pairs of im2col rows,
// several output channels per pass); integer_conv_reference is the plain
// loop that defines the result, kept as the oracle for tests. Both give the
// same bits.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "etch/ir/ops/quant_conv_geometry.h"

namespace etch::runtime {

// Called once per (batch n, output channel m, block of output positions
// [p0, p0 + count) in the flattened output spatial grid) with the int32 sums.
// Calls for different blocks may run concurrently; each output is seen once.
using IntConvEpilogue = std::function<void(int64_t n, int64_t m, int64_t p0, int64_t count, const int32_t* acc)>;

// x: [N, C, spatial...] raw 8-bit values; w_centered: [M, C/group · kernel
// volume] already minus the weight zero point. Sums wrap modulo 2^32 on
// overflow (the ONNX "accumulation may overflow in 32 bits" rule, defined).
template <typename T>
void integer_conv_reference(const ir::ConvGeometry& g, const T* x, int32_t x_zero,
                            const std::vector<int32_t>& w_centered, const IntConvEpilogue& epilogue);

namespace onednn {
struct Plan;
}

// What the fast paths derive from a layer's weights: integer_conv_avx2's
// int16 pairs; the oneDNN path's decision, int8 copy, per-channel sums and
// its reordered layout (for `onednn_plan`). Kept by a kernel whose weights
// are a graph constant (KernelContext::input_is_constant), so they are
// derived on its first call only; each member is filled by the path that
// uses it. Without a cache every call derives them.
struct IntConvWeightCache {
  std::vector<int32_t> avx2_pairs;
  std::optional<bool> onednn_supported;
  std::vector<int8_t> onednn_w8;
  std::vector<uint32_t> onednn_sums;  // Σw per output channel, modulo 2^32
  std::shared_ptr<const onednn::Plan> onednn_plan;
  std::vector<uint8_t> onednn_reordered;  // the weights in onednn_plan's layout
};

template <typename T>
void integer_conv(const ir::ConvGeometry& g, const T* x, int32_t x_zero, const std::vector<int32_t>& w_centered,
                  const IntConvEpilogue& epilogue, IntConvWeightCache* cache = nullptr);

}  // namespace etch::runtime
