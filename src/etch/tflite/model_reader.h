// Checked access to a .tflite flatbuffer: the whole buffer is run through
// FlatBuffers' verifier first, then every index the importer follows (buffer,
// tensor, operator code, subgraph) and every constant's size against its shape
// and type are validated, so that the converter can read without further checks.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "etch/core/tensor.h"
#include "etch/tflite/tflite_schema_generated.h"

namespace etch::tflite {

// One TFLite tensor as etch sees it: shape (TFLite's NHWC order), etch dtype,
// constant data when it has a buffer (FLOAT16 converted to F32, sparse tensors
// densified), quantization parameters when quantized.
struct TensorInfo {
  std::string name;
  fb::TensorType type = fb::TensorType_FLOAT32;
  DType dtype = DType::F32;
  Shape shape;
  std::optional<Tensor> data;
  std::optional<QuantParams> quant;  // axis = TFLite's quantized_dimension
  bool quantized() const { return quant.has_value() && (dtype == DType::I8 || dtype == DType::U8); }
};

// An operator's code: builtin code, and for CUSTOM the custom name.
struct OpCode {
  int32_t builtin = 0;
  std::string custom;
  std::string describe() const;  // "CONV_2D (3)" or "CUSTOM 'Name' (32)"
};

class ModelReader {
 public:
  // label names the file in every message. Throws InvalidInput.
  ModelReader(const std::string& bytes, const std::string& label);

  const fb::Model& model() const { return *model_; }
  const fb::SubGraph& main_graph() const { return *model_->subgraphs()->Get(0); }
  const std::string& label() const { return label_; }
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const std::vector<OpCode>& opcodes() const { return opcodes_; }
  // "operator #3 (CONV_2D (3))" for messages.
  std::string describe_op(int index) const;

 private:
  void check_buffers();
  void check_subgraph(int index);
  void read_opcodes();
  void read_tensors();
  // Bytes of buffer `index` (inline or at an offset in the file).
  std::pair<const uint8_t*, size_t> buffer_bytes(uint32_t index) const;

  const std::string& bytes_;
  std::string label_;
  const fb::Model* model_ = nullptr;
  std::vector<OpCode> opcodes_;
  std::vector<TensorInfo> tensors_;
};

// True when the bytes carry the "TFL3" file identifier.
bool has_tflite_identifier(const std::string& bytes);

}  // namespace etch::tflite
