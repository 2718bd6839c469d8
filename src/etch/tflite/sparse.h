// Densifying a sparse TFLite constant (TACO-style storage: a traversal order
// over the tensor's dims and optional block dims, each level dense or CSR).
#pragma once
#include <string>

#include "etch/core/tensor.h"
#include "etch/tflite/tflite_schema_generated.h"

namespace etch::tflite {

// values: the stored non-zero values (dtype as the tensor, 1-D); shape: the
// dense shape. Every index is validated; `what` names the tensor in errors.
Tensor densify(const fb::SparsityParameters& sp, const Tensor& values, const Shape& shape, const std::string& what);

}  // namespace etch::tflite
