// Internal to onnx/: binding graph inputs to constant values before the checker,
// shape inference and the converter see the model (ImportOptions::const_inputs).
#pragma once
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace etch::onnx {

// Each named graph input becomes an initializer of its declared element type
// and static shape, filled from one value (broadcast) or one value per element,
// and leaves the graph's inputs. Throws InvalidInput naming `label` and the
// input when its shape is not static or the value count does not fit; a name
// that is no input of the model is skipped with a warning.
void bind_const_inputs(::onnx::ModelProto& m, const std::map<std::string, std::vector<double>>& values,
                       const std::string& label);

// ImportOptions::input_shapes: symbolic dimensions of the named graph inputs
// become the given sizes.
void fix_input_shapes(::onnx::ModelProto& m, const std::map<std::string, std::vector<int64_t>>& shapes,
                      const std::string& label);

}  // namespace etch::onnx
