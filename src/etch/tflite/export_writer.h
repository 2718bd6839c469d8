// The model being written by the int8 .tflite exporter: TFLite tensors,
// buffers, operator codes and operators, serialized with the flatc-generated
// builders of tflite_schema.fbs. It also holds the mapping from etch values to
// TFLite tensors (4-D activations as NHWC) and the int8 parameters of every
// activation, which the op emitters (export_ops_*.cc) read and extend.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "etch/ir/graph.h"
#include "etch/ir/ops/qint_params.h"
#include "etch/tflite/exporter.h"
#include "etch/tflite/tflite_schema_generated.h"

namespace etch::tflite {

// etch NCHW ↔ TFLite NHWC, as permutations of a 4-D shape.
inline const std::vector<int> kNchwToNhwc{0, 2, 3, 1};
inline const std::vector<int> kNhwcToNchw{0, 3, 1, 2};
Shape permute_shape(const Shape& s, const std::vector<int>& perm);
// out[i...] = t[perm-permuted index], for any dtype with whole-byte elements.
Tensor permute_tensor(const Tensor& t, const std::vector<int>& perm);

// The (multiplier, shift) TFLite's QuantizeMultiplier derives from a real
// scale ratio (frexp, mantissa rounded to 31 bits).
ir::RequantPair tflite_multiplier(double real);
// The int8 value TFLite's activation-range helper gives a real bound
// (zero_point + round-half-away(f / scale), in float as TFLite divides).
int32_t tflite_quantize(float f, float scale, int32_t zero_point);

class ExportWriter {
 public:
  ExportWriter(const ir::Graph& g, const ExportOptions& o);
  const ir::Graph& graph() const { return g_; }
  const ExportOptions& options() const { return o_; }
  flatbuffers::FlatBufferBuilder& fbb() { return fbb_; }

  // v's shape in the model: the dynamic batch fixed, 4-D as NHWC.
  Shape shape_of(ir::ValueId v) const;
  // v's shape with the batch fixed, in etch's own layout.
  Shape etch_shape(ir::ValueId v) const;
  // Per-tensor int8 parameters of activation v (InvalidInput when unknown).
  const QuantParams& params(ir::ValueId v) const;
  void set_params(ir::ValueId v, QuantParams p) { params_[v] = std::move(p); }
  bool has_params(ir::ValueId v) const { return params_.count(v) != 0; }

  // The tensor holding v (a constant is written on first use, 4-D as NHWC).
  int tensor(ir::ValueId v);
  // A new tensor for v's value (its name, shape_of, type, params when int8),
  // recorded as v's tensor.
  int define(ir::ValueId v);
  void alias(ir::ValueId v, int tensor) { tensor_of_[v] = tensor; }
  int add_tensor(const std::string& name, DType dtype, const Shape& shape, const QuantParams* q = nullptr);
  // A constant tensor of `data`'s shape; per-channel params carry their axis.
  int add_constant(const std::string& name, const Tensor& data, const QuantParams* q = nullptr);
  int add_int32s(const std::string& name, const std::vector<int32_t>& v);
  void add_op(fb::BuiltinOperator code, int version, const std::vector<int>& ins, const std::vector<int>& outs,
              fb::BuiltinOptions type = fb::BuiltinOptions_NONE, flatbuffers::Offset<void> options = 0);
  const Shape& tensor_shape(int t) const { return tensors_.at(t).shape; }
  void rename_tensor(int t, const std::string& name) { tensors_.at(t).name = name; }
  std::string unique_name(const std::string& base);

  // Writes the subgraph's inputs and outputs and serializes the model.
  std::string finish(const std::vector<int>& inputs, const std::vector<int>& outputs, ExportResult& result);

  // A float weight scale near `start` with which TFLite's multiplier of
  // x_scale·w_scale/y_scale is etch's `want` (a few ulps either way);
  // otherwise `start`, counted and named in the result's notes.
  float matching_weight_scale(float x_scale, float y_scale, float start, ir::RequantPair want, const std::string& what);
  // Checks TFLite's multiplier of `real` against etch's, noting a difference.
  void check_multiplier(double real, ir::RequantPair want, const std::string& what);

 private:
  int weight_scales_adjusted_ = 0, multipliers_differing_ = 0;
  std::vector<std::string> notes_;
  struct TensorRec {
    std::string name;
    DType dtype;
    Shape shape;
    std::optional<QuantParams> quant;
    uint32_t buffer = 0;
  };
  struct OpRec {
    uint32_t opcode;
    std::vector<int> ins, outs;
    fb::BuiltinOptions type;
    flatbuffers::Offset<void> options;
  };

  const ir::Graph& g_;
  const ExportOptions& o_;
  flatbuffers::FlatBufferBuilder fbb_;
  std::map<ir::ValueId, int> tensor_of_;
  std::map<ir::ValueId, QuantParams> params_;
  std::vector<TensorRec> tensors_;
  std::vector<std::string> buffers_;  // buffer 0: the empty sentinel
  std::vector<OpRec> ops_;
  std::vector<std::pair<int, int>> opcodes_;  // (builtin code, version)
  std::map<std::string, int> names_;
};

}  // namespace etch::tflite
