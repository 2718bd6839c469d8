#include "etch/onnx/exporter.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

#include <set>

#include "etch/core/atomic_file.h"
#include "etch/ir/op_registry.h"
#include "etch/onnx/tensor_proto.h"

namespace etch::onnx {

using ::onnx::AttributeProto;
using ::onnx::GraphProto;
using ::onnx::ModelProto;
using ::onnx::ValueInfoProto;

namespace {

constexpr int64_t kIrVersion = 8;

void fill_value_info(ValueInfoProto* vi, const ir::Value& v) {
  vi->set_name(v.name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(dtype_to_onnx(v.dtype));
  if (!v.has_shape) return;
  auto* shape = tt->mutable_shape();
  for (int64_t d : v.shape) {
    auto* dim = shape->add_dim();
    if (d >= 0) dim->set_dim_value(d);  // unknown dims stay empty
  }
}

void fill_attribute(AttributeProto* a, const std::string& name, const ir::Attribute& v) {
  a->set_name(name);
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, int64_t>) {
          a->set_type(AttributeProto::INT);
          a->set_i(x);
        } else if constexpr (std::is_same_v<T, float>) {
          a->set_type(AttributeProto::FLOAT);
          a->set_f(x);
        } else if constexpr (std::is_same_v<T, std::string>) {
          a->set_type(AttributeProto::STRING);
          a->set_s(x);
        } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
          a->set_type(AttributeProto::INTS);
          for (int64_t i : x) a->add_ints(i);
        } else if constexpr (std::is_same_v<T, std::vector<float>>) {
          a->set_type(AttributeProto::FLOATS);
          for (float f : x) a->add_floats(f);
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          a->set_type(AttributeProto::STRINGS);
          for (const auto& s : x) a->add_strings(s);
        } else {
          static_assert(std::is_same_v<T, Tensor>);
          a->set_type(AttributeProto::TENSOR);
          *a->mutable_t() = tensor_to_proto(x, "");
        }
      },
      v);
}

ModelProto to_model(const ir::Graph& g) {
  ModelProto m;
  m.set_ir_version(kIrVersion);
  m.set_producer_name("etch");
  m.set_producer_version(ETCH_VERSION);
  for (const auto& [k, v] : g.metadata) {
    auto* p = m.add_metadata_props();
    p->set_key(k);
    p->set_value(v);
  }
  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(g.opset);
  std::set<std::string> domains;
  for (const auto& n : g.nodes())
    if (!n.domain.empty()) domains.insert(n.domain);
  for (const auto& d : domains) {
    auto* o = m.add_opset_import();
    o->set_domain(d);
    o->set_version(1);
  }

  GraphProto* gp = m.mutable_graph();
  gp->set_name(g.name);
  // The ONNX checker requires shapes on the main graph's inputs and outputs.
  auto io_info = [&](ValueInfoProto* vi, ir::ValueId v, const char* what) {
    ETCH_REQUIRE(g.value(v).has_shape, InvalidInput)
        << "graph " << what << " '" << g.value(v).name << "' has no known shape; ONNX needs one to export";
    fill_value_info(vi, g.value(v));
  };
  for (ir::ValueId v : g.inputs) io_info(gp->add_input(), v, "input");

  std::vector<bool> used(g.num_values(), false);
  for (const auto& n : g.nodes())
    for (ir::ValueId v : n.inputs)
      if (v != ir::kNoValue) used[v] = true;
  for (ir::ValueId v : g.outputs) used[v] = true;
  for (int v = 0; v < g.num_values(); ++v) {
    const ir::Value& val = g.value(v);
    if (used[v] && val.is_constant() && val.producer < 0) *gp->add_initializer() = tensor_to_proto(*val.data, val.name);
  }

  std::set<ir::ValueId> outputs(g.outputs.begin(), g.outputs.end());
  for (const auto& n : g.nodes()) {
    auto* np = gp->add_node();
    np->set_name(n.name);
    np->set_op_type(n.op_type);
    if (!n.domain.empty()) np->set_domain(n.domain);
    for (ir::ValueId v : n.inputs) np->add_input(v == ir::kNoValue ? std::string() : g.value(v).name);
    for (ir::ValueId v : n.outputs) {
      np->add_output(g.value(v).name);
      if (!outputs.count(v) && g.value(v).has_shape) fill_value_info(gp->add_value_info(), g.value(v));
    }
    for (const auto& [k, a] : n.attrs) fill_attribute(np->add_attribute(), k, a);
  }
  for (ir::ValueId v : g.outputs) io_info(gp->add_output(), v, "output");
  return m;
}

}  // namespace

std::string export_model_bytes(const ir::Graph& g) {
  bool missing = false;
  for (ir::ValueId v : g.inputs) missing |= !g.value(v).has_shape;
  for (ir::ValueId v : g.outputs) missing |= !g.value(v).has_shape;
  std::optional<ir::Graph> inferred;
  if (missing) {  // try etch's own inference on a copy before giving up
    inferred = g;
    try {
      ir::infer_shapes(*inferred);
    } catch (const Error&) {
    }
  }
  ModelProto m = to_model(inferred ? *inferred : g);
  try {
    ::onnx::checker::check_model(m);
  } catch (const std::exception& e) {
    ETCH_FAIL(Internal) << "exported graph '" << g.name << "' fails the ONNX checker: " << e.what();
  }
  std::string bytes;
  ETCH_CHECK(m.SerializeToString(&bytes)) << "cannot serialize graph '" << g.name << "' (larger than 2 GiB?)";
  return bytes;
}

void export_model(const ir::Graph& g, const std::string& path) { write_file_atomic(path, export_model_bytes(g)); }

}  // namespace etch::onnx
