// The op registry: one schema per op type (arity + shape/type inference).
// Ops are registered from ir/ops/*.cc with ETCH_REGISTER_OP; the runtime calls
// the same inference with every input value known, so output shapes have one
// definition.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "etch/ir/graph.h"
#include "etch/ir/op_traits.h"

namespace etch::ir {

struct TypeInfo {
  DType dtype = DType::F32;
  Shape shape;
  bool has_shape = true;
};

class InferContext {
 public:
  InferContext(const Node& node, std::vector<const TypeInfo*> inputs, std::vector<const Tensor*> values);
  const Node& node() const { return node_; }
  size_t num_inputs() const { return inputs_.size(); }
  bool has_input(size_t i) const { return i < inputs_.size() && inputs_[i] != nullptr; }
  const TypeInfo& input(size_t i) const;  // throws if absent
  const Shape& shape(size_t i) const { return input(i).shape; }
  DType dtype(size_t i) const { return input(i).dtype; }
  // The input's value when known (constant in a graph, always at run time).
  const Tensor* value(size_t i) const {
    const Tensor* v = i < values_.size() ? values_[i] : nullptr;
    read_values_ |= v != nullptr;
    return v;
  }
  // Whether the inference looked at an input's value: if not, its outputs
  // depend on the node and its inputs' types and shapes only (the
  // interpreter reuses them while those stay the same).
  bool read_values() const { return read_values_; }
  void set_output(size_t i, DType dtype, Shape shape, bool has_shape = true);
  const std::vector<TypeInfo>& outputs() const { return outputs_; }
  size_t num_outputs() const { return node_.outputs.size(); }
  // User-facing error naming the node.
  [[noreturn]] void fail(const std::string& msg) const;

 private:
  const Node& node_;
  std::vector<const TypeInfo*> inputs_;
  std::vector<const Tensor*> values_;
  std::vector<TypeInfo> outputs_;
  mutable bool read_values_ = false;
};

using InferFn = std::function<void(InferContext&)>;

// How an op made of multiply-accumulates counts them (ir/cost.h): the form of
// the product and which inputs are the data and the weight operand.
struct MacForm {
  enum Kind { kConv, kConvTranspose, kMatMul, kGemm } kind = kConv;
  size_t data_input = 0, weight_input = 1;
};

// An activation that is a clamp of its input (Relu, Clip): its bounds when they
// are known constants, so that a producer can apply it as its output clamp
// (passes/activation_fusion.h). `kind` is the lower-case name fused ops record.
struct ClampBounds {
  std::string kind;
  float lo = 0.0f, hi = 0.0f;
};
using ClampFn = std::function<std::optional<ClampBounds>(const Graph&, const Node&)>;

struct OpSchema {
  OpSchema() = default;
  OpSchema(std::string op, std::string dom, int min_in, int max_in, int min_out, int max_out, InferFn fn,
           OpTraits t = {}, std::optional<MacForm> m = std::nullopt, ClampFn c = nullptr)
      : op_type(std::move(op)),
        domain(std::move(dom)),
        min_inputs(min_in),
        max_inputs(max_in),
        min_outputs(min_out),
        max_outputs(max_out),
        infer(std::move(fn)),
        traits(t),
        macs(m),
        clamp(std::move(c)) {}
  std::string op_type;
  std::string domain;  // "" = ai.onnx
  int min_inputs = 0, max_inputs = 0;
  int min_outputs = 1, max_outputs = 1;
  InferFn infer;
  OpTraits traits;              // what other stages may rely on (op_traits.h)
  std::optional<MacForm> macs;  // set for the ops made of multiply-accumulates
  ClampFn clamp;                // set for the activations that are a clamp
};

void register_op(OpSchema schema);
const OpSchema* find_op(const std::string& op_type, const std::string& domain = "");
std::vector<std::string> registered_ops();

// The traits of a node's op (none when the op is not registered).
OpTraits op_traits(const Node& n);
bool has_trait(const Node& n, OpTrait t);
// The node's MAC form (nullptr when its op is not made of multiply-accumulates).
const MacForm* mac_form(const Node& n);
// A float Conv as ONNX defines it (MAC form kConv in the default domain with a
// float32 input and the weight as input 1): the op the float passes rewrite.
bool is_float_conv(const Graph& g, const Node& n);
// The registered ops that have trait t, as "op" or "domain.op" like registered_ops().
std::vector<std::string> ops_with_trait(OpTrait t);

struct OpRegistrar {
  explicit OpRegistrar(OpSchema s) { register_op(std::move(s)); }
};

#define ETCH_OP_CONCAT2(a, b) a##b
#define ETCH_OP_CONCAT(a, b) ETCH_OP_CONCAT2(a, b)
// ETCH_REGISTER_OP({"Relu", "", 1, 1, 1, 1, infer_same});
#define ETCH_REGISTER_OP(...) \
  static ::etch::ir::OpRegistrar ETCH_OP_CONCAT(etch_op_registrar_, __COUNTER__)(::etch::ir::OpSchema __VA_ARGS__)

// Runs inference for one node of a graph (constants as known values) and
// writes the result into its output values. Unknown input shapes propagate.
void infer_node(Graph& g, const Node& n);
void infer_shapes(Graph& g);

// The default-domain opset of the graph being inferred or run. A few ops changed
// semantics between opsets without a visible marker (Softmax before 13 coerces
// to 2-D); the interpreter and infer_shapes set this from Graph::opset.
int64_t current_opset();
void set_current_opset(int64_t opset);

// Helpers shared by inference functions and kernels.
Shape broadcast_shapes(const Shape& a, const Shape& b);             // numpy rules; throws InvalidInput
int64_t normalize_axis(int64_t axis, int64_t rank, const Node& n);  // throws naming the node
void infer_same_as_input0(InferContext& c);

}  // namespace etch::ir
