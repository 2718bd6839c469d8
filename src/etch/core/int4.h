// Packed int4 (DType::I4, two signed values per byte, low nibble first) to and
// from int8: the weight formats of W4A8 models.
#pragma once
#include "etch/core/tensor.h"

namespace etch {

// I8 tensor with every value in [-8, 7] → I4 tensor of the same shape.
// Throws InvalidInput naming `name` for a value out of range or another dtype.
Tensor pack_int4(const Tensor& i8, const char* name = "tensor");
// I4 → I8 (sign-extended); I8 is returned as is (shared storage).
Tensor unpack_int4(const Tensor& t);

}  // namespace etch
