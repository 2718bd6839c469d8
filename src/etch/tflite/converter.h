// Builds etch's Graph from a validated TFLite subgraph. Every TFLite tensor
// becomes a float value (quantized tensors as the output of their
// DequantizeLinear, so an int8 model is a QDQ graph that `etch compile` lowers
// without re-quantizing). 4-D activations may be held in etch's NCHW layout:
// each op asks for its inputs in the layout it works in, and the converter
// inserts a Transpose (or transposes a constant) only where the layout held
// differs. Graph inputs and outputs keep TFLite's shapes.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "etch/ir/graph.h"
#include "etch/tflite/model_reader.h"

namespace etch::tflite {

// TFLite NHWC → NCHW and back, for 4-D tensors.
inline const std::vector<int> kToNchw{0, 3, 1, 2};
inline const std::vector<int> kToNhwc{0, 2, 3, 1};
// Axis a of an NHWC tensor is axis nchw_axis(a) of its NCHW form.
int nchw_axis(int a);

class Converter {
 public:
  explicit Converter(const ModelReader& r);
  ir::Graph run();

  // --- for the op converters (ops_*.cc), about the current operator ---
  const fb::Operator& op() const { return *op_; }
  int num_inputs() const;
  int num_outputs() const;
  int input(int i) const;   // tensor index, -1 when omitted
  int output(int i) const;  // tensor index
  const TensorInfo& info(int t) const { return infos_.at(t); }
  // "file: operator #3 (CONV_2D (code 3))" for messages.
  std::string where() const;
  // Throws InvalidInput naming the operator unless the op has at least
  // `min_in` inputs (all present) and exactly `outs` outputs.
  void require_arity(int min_in, int outs) const;

  bool held_nchw(int t) const;
  // The tensor's float (dequantized) value, in NCHW (4-D only) or as TFLite
  // holds it.
  ir::ValueId get(int t, bool nchw);
  // For broadcasting element-wise ops whose output is 4-D and NCHW: a lower
  // rank operand is first given leading 1s (TFLite's broadcasting rule).
  ir::ValueId get_broadcast(int t, bool nchw);
  // A constant tensor's value permuted by perm (empty: as stored); quantized
  // constants come out of a DequantizeLinear with the axis permuted along.
  ir::ValueId constant(int t, const std::vector<int>& perm = {});
  // The constant data of input tensor t (InvalidInput when not constant).
  const Tensor& const_data(int t, const std::string& role) const;
  std::vector<int64_t> const_ints(int t, const std::string& role) const;

  ir::ValueId add_const(const std::string& base, Tensor t);
  ir::ValueId add_ints(const std::string& base, const std::vector<int64_t>& v);
  // Appends a node with one output; its shape is inferred by etch's op schema.
  ir::ValueId add_node(const std::string& op_type, const std::vector<ir::ValueId>& ins,
                       std::map<std::string, ir::Attribute> attrs = {}, const std::string& base = "");
  std::vector<ir::ValueId> add_node_n(const std::string& op_type, const std::vector<ir::ValueId>& ins, int outs,
                                      std::map<std::string, ir::Attribute> attrs = {});
  ir::ValueId transpose(ir::ValueId v, const std::vector<int>& perm);
  ir::ValueId reshape(ir::ValueId v, const Shape& shape);

  // Defines output tensor t as value v (held NCHW or not), after the fused
  // activation; quantized tensors get their QuantizeLinear/DequantizeLinear.
  // The value's shape is checked against the model's.
  void set_output(int t, ir::ValueId v, bool nchw, int fused_activation = 0);
  // Output tensor t is the same value as tensor `from` (DEQUANTIZE, DENSIFY);
  // when `from` is a constant, t becomes that constant (with from's
  // quantization), so that ops needing constant weights still see one.
  void alias(int t, int from);

 private:
  struct Slot {
    ir::ValueId value = ir::kNoValue;  // float (dequantized) value
    ir::ValueId q = ir::kNoValue;      // integer value of a quantized tensor
    bool nchw = false;
    ir::ValueId other = ir::kNoValue;  // cached value in the other layout
  };
  void check_supported() const;
  void add_inputs();
  void set_outputs();
  ir::ValueId activation(ir::ValueId v, int fused);
  ir::ValueId dequantize(ir::ValueId q, const QuantParams& p, const std::string& base);
  std::string name(const std::string& base);
  // Gives a node's output value the TFLite tensor's name when still free.
  void rename(ir::ValueId v, const std::string& wanted);

  const ModelReader& r_;
  std::vector<TensorInfo> infos_;
  ir::Graph g_;
  std::vector<Slot> slots_;
  std::map<std::pair<int, bool>, ir::ValueId> const_cache_;
  std::set<std::string> names_;
  const fb::Operator* op_ = nullptr;
  int op_index_ = -1;
};

}  // namespace etch::tflite
