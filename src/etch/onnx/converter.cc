#include "etch/onnx/converter.h"

#include "etch/onnx/tensor_proto.h"

namespace etch::onnx {

using ::onnx::AttributeProto;
using ::onnx::GraphProto;
using ::onnx::ModelProto;
using ::onnx::NodeProto;
using ::onnx::TensorProto;
using ::onnx::TypeProto;
using ::onnx::ValueInfoProto;

namespace {
// Constant nodes become constant values of the graph, not nodes.
constexpr const char* kConstantOp = "Constant";
constexpr const char* kIfOp = "If";
}  // namespace

bool is_default_domain(const std::string& d) { return d.empty() || d == "ai.onnx"; }

// A runtime input must be a tensor of a supported type with a known rank and
// positive (or symbolic) dims. Checked before the ONNX checker so that the
// user sees this message rather than the checker's.
TypeResult input_type(const ValueInfoProto& in, const std::string& label) {
  const std::string what = "model input '" + in.name() + "'";
  TypeResult t = convert_type(in.type(), what, label);
  const bool has_shape = in.type().has_tensor_type() && in.type().tensor_type().has_shape();
  ETCH_REQUIRE(has_shape, InvalidInput) << label << ": " << what << " has no shape";
  for (size_t i = 0; i < t.shape.size(); ++i) {
    const auto& d = in.type().tensor_type().shape().dim(static_cast<int>(i));
    ETCH_REQUIRE(!d.has_dim_value() || d.dim_value() > 0, InvalidInput)
        << label << ": " << what << " has dimension " << d.dim_value() << " at axis " << i
        << "; dimensions must be positive or symbolic";
  }
  return t;
}

TypeResult convert_type(const TypeProto& t, const std::string& what, const std::string& label) {
  TypeResult r;
  if (t.value_case() == TypeProto::VALUE_NOT_SET) return r;
  ETCH_REQUIRE(t.has_tensor_type(), Unsupported)
      << label << ": " << what << " is not a tensor (sequence, map and optional types are not supported)";
  const auto& tt = t.tensor_type();
  if (tt.elem_type() != TensorProto::UNDEFINED) {
    std::optional<DType> dt = dtype_from_onnx(tt.elem_type());
    ETCH_REQUIRE(dt, Unsupported) << label << ": " << what << " has element type " << onnx_type_name(tt.elem_type())
                                  << ", which etch does not support (FLOAT, INT8, UINT8, INT32, INT64, BOOL)";
    r.dtype = *dt;
  }
  if (tt.has_shape()) {
    r.has_shape = true;
    for (const auto& d : tt.shape().dim()) r.shape.push_back(d.has_dim_value() ? d.dim_value() : -1);
  }
  return r;
}

void Converter::add_initializers(const GraphProto& gp) {
  for (const TensorProto& p : gp.initializer()) {
    ETCH_REQUIRE(!by_name_.count(p.name()), InvalidInput)
        << label_ << ": initializer '" << p.name() << "' is defined twice";
    Tensor t = tensor_from_proto(p, label_ + ": initializer '" + p.name() + "'");
    define(p.name(), g_.add_constant(p.name(), std::move(t)));
  }
}

void Converter::add_inputs(const GraphProto& gp) {
  for (const ValueInfoProto& in : gp.input()) {
    if (by_name_.count(in.name())) continue;  // an initializer listed as input (IR < 4)
    TypeResult t = input_type(in, label_);
    by_name_[in.name()] = g_.add_input(in.name(), t.dtype, t.shape);
  }
}

void Converter::define(const std::string& name, ir::ValueId v) {
  by_name_[name] = v;
  if (!branch_scopes_.empty()) branch_scopes_.back().push_back(name);
}

void Converter::collect_infos(const GraphProto& gp) {
  for (const auto& vi : gp.value_info()) infos_[vi.name()] = &vi;
  for (const auto& vi : gp.output()) infos_[vi.name()] = &vi;
}

std::string Converter::node_name(const NodeProto& n, int index) {
  if (!n.name().empty() && branch_scopes_.empty()) return n.name();
  // Inlined If branches (if_folding.cc) may reuse names of the outer graph.
  std::string base = n.name().empty() ? n.op_type() + "_" + std::to_string(index) : n.name(), name = base;
  for (int k = 1; node_names_.count(name); ++k) name = base + "_" + std::to_string(k);
  node_names_.insert(name);
  return name;
}

ir::Attribute Converter::convert_attribute(const AttributeProto& a, const std::string& node_desc) const {
  const std::string what = label_ + ": " + node_desc + ": attribute '" + a.name() + "'";
  auto type = a.type();
  if (type == AttributeProto::UNDEFINED) {  // very old models leave the type implicit
    if (a.has_f())
      type = AttributeProto::FLOAT;
    else if (a.has_i())
      type = AttributeProto::INT;
    else if (a.has_s())
      type = AttributeProto::STRING;
    else if (a.has_t())
      type = AttributeProto::TENSOR;
    else if (a.has_g())
      type = AttributeProto::GRAPH;
    else if (a.floats_size())
      type = AttributeProto::FLOATS;
    else if (a.ints_size())
      type = AttributeProto::INTS;
    else if (a.strings_size())
      type = AttributeProto::STRINGS;
  }
  switch (type) {
    case AttributeProto::FLOAT:
      return a.f();
    case AttributeProto::INT:
      return static_cast<int64_t>(a.i());
    case AttributeProto::STRING:
      return a.s();
    case AttributeProto::TENSOR: {
      TensorProto t = a.t();
      return tensor_from_proto(t, what);
    }
    case AttributeProto::FLOATS:
      return std::vector<float>(a.floats().begin(), a.floats().end());
    case AttributeProto::INTS:
      return std::vector<int64_t>(a.ints().begin(), a.ints().end());
    case AttributeProto::STRINGS:
      return std::vector<std::string>(a.strings().begin(), a.strings().end());
    case AttributeProto::GRAPH:
    case AttributeProto::GRAPHS:
      ETCH_FAIL(Unsupported) << what << " is a subgraph; etch does not support control flow (If, Loop, Scan)";
    default:
      ETCH_FAIL(Unsupported) << what << " has attribute type " << AttributeProto::AttributeType_Name(type)
                             << ", which etch does not support";
  }
}

void Converter::add_constant_node(const NodeProto& n, const std::string& name) {
  const std::string desc = "node '" + name + "' (Constant)";
  ETCH_REQUIRE(n.output_size() == 1 && !n.output(0).empty(), InvalidInput)
      << label_ << ": " << desc << " must have exactly one output";
  ETCH_REQUIRE(n.attribute_size() == 1, InvalidInput) << label_ << ": " << desc << " must have exactly one attribute";
  const AttributeProto& a = n.attribute(0);
  std::optional<Tensor> t;
  if (a.name() == "value") {
    ir::Attribute v = convert_attribute(a, desc);
    ETCH_REQUIRE(std::holds_alternative<Tensor>(v), InvalidInput)
        << label_ << ": " << desc << ": 'value' must be a tensor";
    t = std::get<Tensor>(v);
  } else if (a.name() == "value_float") {
    t = Tensor::scalar<float>(a.f());
  } else if (a.name() == "value_floats") {
    t = Tensor::from_vector<float>({a.floats_size()}, std::vector<float>(a.floats().begin(), a.floats().end()));
  } else if (a.name() == "value_int") {
    t = Tensor::scalar<int64_t>(a.i());
  } else if (a.name() == "value_ints") {
    t = Tensor::from_vector<int64_t>({a.ints_size()}, std::vector<int64_t>(a.ints().begin(), a.ints().end()));
  } else {
    ETCH_FAIL(Unsupported) << label_ << ": " << desc << ": attribute '" << a.name() << "' is not supported";
  }
  const std::string& out = n.output(0);
  ETCH_REQUIRE(!by_name_.count(out), InvalidInput)
      << label_ << ": " << desc << ": value '" << out << "' is defined twice";
  define(out, g_.add_constant(out, std::move(*t)));
}

void Converter::add_node(const NodeProto& n, int index) {
  const std::string name = node_name(n, index);
  if (n.op_type() == kConstantOp && is_default_domain(n.domain())) return add_constant_node(n, name);
  if (n.op_type() == kIfOp && is_default_domain(n.domain())) return add_if_node(n, name);
  const std::string desc = "node '" + name + "' (" + n.op_type() + ")";
  std::vector<ir::ValueId> ins;
  for (const std::string& in : n.input()) {
    if (in.empty()) {
      ins.push_back(ir::kNoValue);
      continue;
    }
    auto it = by_name_.find(in);
    ETCH_REQUIRE(it != by_name_.end(), InvalidInput)
        << label_ << ": " << desc << " reads '" << in << "', which is not defined before it";
    ins.push_back(it->second);
  }
  std::map<std::string, ir::Attribute> attrs;
  for (const AttributeProto& a : n.attribute()) attrs[a.name()] = convert_attribute(a, desc);
  // Trailing omitted outputs are dropped; omitted ones in the middle get a
  // placeholder value so that output positions stay meaningful.
  int nout = n.output_size();
  while (nout > 0 && n.output(nout - 1).empty()) --nout;
  std::vector<ir::ValueId> outs;
  for (int i = 0; i < nout; ++i) {
    const std::string& out = n.output(i);
    if (out.empty()) {
      std::string placeholder = name + "_unused_" + std::to_string(i);
      while (by_name_.count(placeholder)) placeholder += "_";
      ir::ValueId v = g_.add_value(placeholder, DType::F32, {}, false);
      define(placeholder, v);
      outs.push_back(v);
      continue;
    }
    ETCH_REQUIRE(!by_name_.count(out), InvalidInput)
        << label_ << ": " << desc << ": value '" << out << "' is defined twice";
    TypeResult t;
    auto info = infos_.find(out);
    if (info != infos_.end()) t = convert_type(info->second->type(), "tensor '" + out + "'", label_);
    ir::ValueId v = g_.add_value(out, t.dtype, t.shape, t.has_shape);
    define(out, v);
    outs.push_back(v);
  }
  std::string domain = is_default_domain(n.domain()) ? "" : n.domain();
  g_.add_node(n.op_type(), ins, outs, name, std::move(attrs), domain);
}

void Converter::set_outputs(const GraphProto& gp) {
  for (const ValueInfoProto& o : gp.output()) {
    auto it = by_name_.find(o.name());
    ETCH_REQUIRE(it != by_name_.end(), InvalidInput)
        << label_ << ": model output '" << o.name() << "' is never produced";
    TypeResult t = convert_type(o.type(), "model output '" + o.name() + "'", label_);
    ir::Value& v = g_.value(it->second);
    if (!v.has_shape && !v.is_constant() && t.has_shape) {
      v.dtype = t.dtype;
      v.shape = t.shape;
      v.has_shape = true;
    }
    g_.outputs.push_back(it->second);
  }
}

ir::Graph Converter::run(const ModelProto& m, int64_t opset) {
  g_.opset = opset;  // before any node: If folding evaluates nodes as this opset defines them
  const GraphProto& gp = m.graph();
  collect_infos(gp);
  for (const auto& n : gp.node())
    if (!n.name().empty()) node_names_.insert(n.name());
  add_initializers(gp);
  add_inputs(gp);
  for (int i = 0; i < gp.node_size(); ++i) add_node(gp.node(i), i);
  set_outputs(gp);
  if (!gp.name().empty()) g_.name = gp.name();
  g_.ir_version = m.ir_version();
  if (!m.producer_name().empty()) g_.producer = m.producer_name();
  for (const auto& p : m.metadata_props()) g_.metadata[p.key()] = p.value();
  return std::move(g_);
}

}  // namespace etch::onnx
