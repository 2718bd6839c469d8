// The one data-movement primitive behind Transpose, Slice, Expand, Tile, Concat
// and Split: copy an n-d block whose source and destination are addressed by
// arbitrary element strides (0 repeats, negative walks backwards). Dims are
// merged where both sides stay linear; unit inner strides become memcpy.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "etch/core/tensor.h"

namespace etch::runtime {

void strided_copy(const uint8_t* src, std::vector<int64_t> src_strides, uint8_t* dst, std::vector<int64_t> dst_strides,
                  Shape shape, size_t elem_size);

// Convenience: dense destination.
inline void strided_copy_to_dense(const uint8_t* src, const std::vector<int64_t>& src_strides, uint8_t* dst,
                                  const Shape& shape, size_t elem_size) {
  strided_copy(src, src_strides, dst, shape_strides(shape), shape, elem_size);
}

// Element size for data-movement kernels; packed i4 cannot be moved element-wise.
size_t movable_elem_size(DType t, const std::string& who);

}  // namespace etch::runtime
