#include "etch/ir/op_registry.h"

#include <map>
#include <mutex>

namespace etch::ir {
namespace {
std::map<std::string, OpSchema>& table() {
  static std::map<std::string, OpSchema> t;
  return t;
}
std::string key(const std::string& op, const std::string& domain) {
  std::string d = domain == "ai.onnx" ? "" : domain;
  return d + "::" + op;
}
}  // namespace

InferContext::InferContext(const Node& node, std::vector<const TypeInfo*> inputs, std::vector<const Tensor*> values)
    : node_(node), inputs_(std::move(inputs)), values_(std::move(values)), outputs_(node.outputs.size()) {
  for (auto& o : outputs_) o.has_shape = false;
}

const TypeInfo& InferContext::input(size_t i) const {
  if (!has_input(i)) fail("input " + std::to_string(i) + " is required but missing");
  return *inputs_[i];
}

void InferContext::set_output(size_t i, DType dtype, Shape shape, bool has_shape) {
  ETCH_CHECK(i < outputs_.size()) << node_.describe() << " has no output " << i;
  outputs_[i] = TypeInfo{dtype, std::move(shape), has_shape};
}

void InferContext::fail(const std::string& msg) const { ETCH_FAIL(InvalidInput) << node_.describe() << ": " << msg; }

namespace {
thread_local int64_t t_current_opset = 17;
}
int64_t current_opset() { return t_current_opset; }
void set_current_opset(int64_t opset) { t_current_opset = opset; }

void register_op(OpSchema schema) { table()[key(schema.op_type, schema.domain)] = std::move(schema); }

const OpSchema* find_op(const std::string& op_type, const std::string& domain) {
  auto it = table().find(key(op_type, domain));
  return it == table().end() ? nullptr : &it->second;
}

std::vector<std::string> registered_ops() {
  std::vector<std::string> out;
  for (const auto& [k, s] : table()) out.push_back(s.domain.empty() ? s.op_type : s.domain + "." + s.op_type);
  return out;
}

OpTraits op_traits(const Node& n) {
  const OpSchema* s = find_op(n.op_type, n.domain);
  return s ? s->traits : OpTraits{};
}

bool has_trait(const Node& n, OpTrait t) { return op_traits(n).has(t); }

const MacForm* mac_form(const Node& n) {
  const OpSchema* s = find_op(n.op_type, n.domain);
  return s && s->macs ? &*s->macs : nullptr;
}

bool is_float_conv(const Graph& g, const Node& n) {
  const MacForm* m = mac_form(n);
  return m && m->kind == MacForm::kConv && n.domain.empty() && !has_trait(n, OpTrait::kQuantizedFormat) &&
         m->data_input == 0 && m->weight_input == 1 && !n.inputs.empty() && g.value(n.inputs[0]).dtype == DType::F32;
}

std::vector<std::string> ops_with_trait(OpTrait t) {
  std::vector<std::string> out;
  for (const auto& [k, s] : table())
    if (s.traits.has(t)) out.push_back(s.domain.empty() ? s.op_type : s.domain + "." + s.op_type);
  return out;
}

const std::vector<std::pair<OpTrait, std::string>>& all_op_traits() {
  static const std::vector<std::pair<OpTrait, std::string>> all = {
      {OpTrait::kElementwiseUnary, "elementwise-unary"},
      {OpTrait::kBroadcastArith, "broadcast-arith"},
      {OpTrait::kDataMovement, "data-movement"},
      {OpTrait::kLookupTable, "lookup-table"},
      {OpTrait::kPool, "pool"},
      {OpTrait::kUnitIntervalOutput, "unit-interval-output"},
      {OpTrait::kWeighted, "weighted"},
      {OpTrait::kFusesActivation, "fuses-activation"},
      {OpTrait::kQuantizedFormat, "quantized-format"},
      {OpTrait::kPassthrough, "passthrough"},
      {OpTrait::kChannelAffine, "channel-affine"},
      {OpTrait::kShapeOnly, "shape-only"},
      {OpTrait::kConcatenation, "concatenation"},
      {OpTrait::kIntegerOp, "integer-op"},
      {OpTrait::kComparison, "comparison"},
  };
  return all;
}

void infer_node(Graph& g, const Node& n) {
  const OpSchema* s = find_op(n.op_type, n.domain);
  ETCH_REQUIRE(s != nullptr, Unsupported) << n.describe() << ": op is not supported by etch";
  std::vector<TypeInfo> infos(n.inputs.size());
  std::vector<const TypeInfo*> ins(n.inputs.size(), nullptr);
  std::vector<const Tensor*> vals(n.inputs.size(), nullptr);
  bool all_shapes = true;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    if (n.inputs[i] == kNoValue) continue;
    const Value& v = g.value(n.inputs[i]);
    infos[i] = TypeInfo{v.dtype, v.shape, v.has_shape};
    ins[i] = &infos[i];
    if (v.data) vals[i] = &*v.data;
    if (!v.has_shape) all_shapes = false;
  }
  if (!all_shapes) return;  // cannot say more than the importer already knows
  InferContext ctx(n, ins, vals);
  try {
    s->infer(ctx);
  } catch (const Error& e) {
    // A shared helper (shape_numel, broadcasting) knows no node: name it here.
    const std::string what = e.what(), node = n.describe();
    if (e.kind() == ErrorKind::Internal || what.find(node) != std::string::npos) throw;
    throw Error(e.kind(), node + ": " + what);
  }
  for (size_t i = 0; i < n.outputs.size(); ++i) {
    const TypeInfo& t = ctx.outputs()[i];
    Value& v = g.value(n.outputs[i]);
    if (!t.has_shape && v.has_shape) {
      v.dtype = t.dtype;
      continue;
    }
    v.dtype = t.dtype;
    v.shape = t.shape;
    v.has_shape = t.has_shape;
  }
}

void infer_shapes(Graph& g) {
  set_current_opset(g.opset);
  for (const auto& n : g.nodes()) infer_node(g, n);
}

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  const size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da == db || db == 1)
      out[i] = da;
    else if (da == 1)
      out[i] = db;
    else if (da < 0 || db < 0)
      out[i] = std::max(da, db) > 1 ? std::max(da, db) : -1;
    else
      ETCH_FAIL(InvalidInput) << "shapes " << shape_str(a) << " and " << shape_str(b) << " cannot be broadcast";
  }
  return out;
}

int64_t normalize_axis(int64_t axis, int64_t rank, const Node& n) {
  ETCH_REQUIRE(axis >= -rank && axis < std::max<int64_t>(rank, 1), InvalidInput)
      << n.describe() << ": axis " << axis << " is out of range for rank " << rank;
  return axis < 0 ? axis + rank : axis;
}

void infer_same_as_input0(InferContext& c) {
  for (size_t i = 0; i < c.num_outputs(); ++i) c.set_output(i, c.dtype(0), c.shape(0));
}

}  // namespace etch::ir
