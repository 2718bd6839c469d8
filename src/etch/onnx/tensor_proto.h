// Conversions between onnx.TensorProto and etch::Tensor, and the confinement of
// external data to the model's folder. Shared by the importer, the exporter and
// the conformance runner.
#pragma once
#include <onnx/onnx_pb.h>

#include <optional>
#include <string>

#include "etch/core/tensor.h"

namespace etch::onnx {

// ONNX element type → etch dtype; nullopt for types etch does not handle
// (double, float16, string, ...).
std::optional<DType> dtype_from_onnx(int32_t elem_type);
int32_t dtype_to_onnx(DType t);  // throws Unsupported for I4
// "DOUBLE", "FLOAT16", ... for messages.
std::string onnx_type_name(int32_t elem_type);

// Converts a tensor held in the proto (raw_data or typed fields). External data
// must have been resolved first (resolve_external_data). `what` names the
// tensor in errors, e.g. "initializer 'w'".
Tensor tensor_from_proto(const ::onnx::TensorProto& p, const std::string& what);
::onnx::TensorProto tensor_to_proto(const Tensor& t, const std::string& name);

// If p keeps its data in an external file, reads it (refusing absolute paths
// and anything that escapes base_dir, also through symlinks) into raw_data and
// marks the tensor as holding its data inline. `label` names the model file.
void resolve_external_data(::onnx::TensorProto& p, const std::string& base_dir, const std::string& label);

}  // namespace etch::onnx
