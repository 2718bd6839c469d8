// ONNX's TensorProto.DataType numbers in op attributes (Cast's `to`, EyeLike's
// `dtype`), read as the dtypes etch has.
#pragma once
#include "etch/ir/op_registry.h"

namespace etch::ir {

// The dtype the node's integer attribute `name` names; Unsupported, naming the
// node and the type, for ONNX types etch does not have.
DType dtype_attr(const InferContext& c, const char* name);

}  // namespace etch::ir
