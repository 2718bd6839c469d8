#include "etch/onnx/importer.h"

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>
#include <onnx/version_converter/convert.h>

#include <filesystem>
#include <set>
#include <unordered_map>

#include "etch/core/atomic_file.h"
#include "etch/ir/verifier.h"
#include "etch/onnx/const_inputs.h"
#include "etch/onnx/converter.h"
#include "etch/onnx/tensor_proto.h"

namespace etch::onnx {

namespace fs = std::filesystem;
using ::onnx::AttributeProto;
using ::onnx::GraphProto;
using ::onnx::ModelProto;
using ::onnx::NodeProto;
using ::onnx::TensorProto;
using ::onnx::TypeProto;
using ::onnx::ValueInfoProto;

namespace {
constexpr int64_t kMinOpset = 7, kMaxOpset = 17;

std::set<std::string> initializer_names(const GraphProto& gp) {
  std::set<std::string> out;
  for (const auto& t : gp.initializer()) out.insert(t.name());
  return out;
}

int64_t default_opset(const ModelProto& m) {
  int64_t opset = -1;
  for (const auto& o : m.opset_import())
    if (is_default_domain(o.domain())) opset = o.version();
  return opset;
}

// Models older than opset 7 (legacy broadcasting, is_test/spatial attributes)
// are upgraded with ONNX's own version converter rather than by etch knowing
// every retired operator version.
int64_t upgrade_opset(ModelProto& m, const std::string& label) {
  constexpr int kUpgradeTarget = 11;
  try {
    ::onnx::checker::check_model(m);
    m = ::onnx::version_conversion::ConvertVersion(m, kUpgradeTarget);
    // The converter may add initializers that are not graph inputs, which IR
    // versions before 4 forbid; the upgraded model is IR 4 at least.
    if (m.ir_version() < 4) m.set_ir_version(4);
  } catch (const std::exception& e) {
    ETCH_FAIL(Unsupported) << label << ": opset " << default_opset(m) << " model could not be upgraded to opset "
                           << kUpgradeTarget << " by the ONNX version converter: " << e.what();
  }
  return default_opset(m);
}

// External data is read (from inside base_dir only) before the checker runs, so
// that the checker and the converter see ordinary inline tensors.
void resolve_graph_external(GraphProto* gp, const std::string& base_dir, const std::string& label) {
  for (auto& t : *gp->mutable_initializer()) resolve_external_data(t, base_dir, label);
  for (auto& n : *gp->mutable_node())
    for (auto& a : *n.mutable_attribute()) {
      if (a.has_t()) resolve_external_data(*a.mutable_t(), base_dir, label);
      if (a.has_g()) resolve_graph_external(a.mutable_g(), base_dir, label);  // If branches
    }
}

// ONNX's shape inference divides by every entry of `strides` unchecked (a 0
// is a floating-point exception inside libonnx, found by fuzzing), and
// neither a stride nor a dilation below 1 means anything: refused here first.
void check_window_attributes(const GraphProto& gp, const std::string& label) {
  for (const auto& n : gp.node())
    for (const auto& a : n.attribute()) {
      if (a.name() == "strides" || a.name() == "dilations")
        for (int64_t v : a.ints())
          ETCH_REQUIRE(v >= 1, InvalidInput)
              << label << ": node '" << n.name() << "' (" << n.op_type() << "): attribute '" << a.name()
              << "' has an entry " << v << "; every entry must be at least 1";
      if (a.has_g()) check_window_attributes(a.g(), label);
      for (const auto& sub : a.graphs()) check_window_attributes(sub, label);
    }
}

void resolve_all_external(ModelProto& m, const std::string& base_dir, const std::string& label) {
  resolve_graph_external(m.mutable_graph(), base_dir, label);
}

}  // namespace

ir::Graph import_model_bytes(const std::string& bytes, const std::string& base_dir, const std::string& label,
                             const ImportOptions& opts) {
  ModelProto m;
  ETCH_REQUIRE(m.ParseFromString(bytes), InvalidInput) << label << ": not a valid ONNX model (protobuf parse failed)";
  ETCH_REQUIRE(m.has_graph(), InvalidInput) << label << ": not a valid ONNX model (no graph)";
  int64_t opset = default_opset(m);
  if (opset >= 1 && opset < kMinOpset) opset = upgrade_opset(m, label);
  ETCH_REQUIRE(opset < 0 || (opset >= kMinOpset && opset <= kMaxOpset), Unsupported)
      << label << ": opset " << opset << " is not supported (etch reads opsets " << kMinOpset << " to " << kMaxOpset
      << ")";
  const std::set<std::string> inits = initializer_names(m.graph());
  for (const auto& in : m.graph().input())
    if (!inits.count(in.name())) input_type(in, label);
  resolve_all_external(m, base_dir, label);
  fix_input_shapes(m, opts.input_shapes, label);
  bind_const_inputs(m, opts.const_inputs, label);
  check_window_attributes(m.graph(), label);
  if (opts.run_checker) {
    try {
      ::onnx::checker::check_model(m);
    } catch (const std::exception& e) {
      ETCH_FAIL(InvalidInput) << label << ": the ONNX checker rejected the model: " << e.what();
    }
  }
  if (opts.run_shape_inference) {
    try {
      ::onnx::shape_inference::InferShapes(m);
    } catch (const std::exception& e) {
      ETCH_FAIL(InvalidInput) << label << ": ONNX shape inference failed: " << e.what();
    }
  }
  ir::Graph g = Converter(label, opts.fold).run(m, opset < 0 ? kMaxOpset : opset);
  std::vector<std::string> bad = ir::unsupported_nodes(g);
  if (!bad.empty()) {
    std::string list;
    for (size_t i = 0; i < bad.size(); ++i) list += (i ? ", " : "") + bad[i];
    ETCH_FAIL(Unsupported) << label << ": " << bad.size() << " node(s) use ops etch does not support: " << list;
  }
  return g;
}

ir::Graph import_model(const std::string& path, const ImportOptions& opts) {
  std::error_code ec;
  ETCH_REQUIRE(fs::is_regular_file(path, ec), InvalidInput) << path << ": no such file";
  std::string bytes = read_file(path);
  std::string dir = fs::path(path).parent_path().string();
  return import_model_bytes(bytes, dir.empty() ? "." : dir, path, opts);
}

Tensor read_tensor_proto_file(const std::string& path) {
  std::error_code ec;
  ETCH_REQUIRE(fs::is_regular_file(path, ec), InvalidInput) << path << ": no such file";
  TensorProto p;
  ETCH_REQUIRE(p.ParseFromString(read_file(path)), InvalidInput)
      << path << ": not a valid ONNX tensor (protobuf parse failed)";
  const std::string name = p.name().empty() ? "tensor" : "tensor '" + p.name() + "'";
  return tensor_from_proto(p, path + ": " + name);
}

}  // namespace etch::onnx
