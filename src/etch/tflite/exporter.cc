#include "etch/tflite/exporter.h"

#include "etch/core/atomic_file.h"
#include "etch/core/error.h"
#include "etch/tflite/export_ops.h"

namespace etch::tflite {

namespace {

// Every node that cannot be written, with why, in one Unsupported error.
void check_all(const ir::Graph& g) {
  const ExportTable& table = export_table();
  std::vector<std::string> bad;
  for (const ir::Node& n : g.nodes()) {
    auto it = table.find(n.op_type);
    const std::string why = it == table.end() ? "no TFLite int8 export for this op" : it->second.check(g, n);
    if (!why.empty()) bad.push_back("node '" + n.name + "' (" + n.op_type + "): " + why);
  }
  if (bad.empty()) return;
  std::string list;
  for (size_t i = 0; i < bad.size(); ++i) list += (i ? "; " : "") + bad[i];
  ETCH_FAIL(Unsupported) << "TFLite export: " << bad.size() << " node(s) cannot be written: " << list;
}

}  // namespace

std::map<std::string, QuantParams> qdq_activation_params(const ir::Graph& g) {
  std::map<std::string, QuantParams> out;
  for (const ir::Node& n : g.nodes()) {
    if (n.op_type != "QuantizeLinear" || !n.domain.empty() || n.inputs.size() < 3) continue;
    const ir::Value &s = g.value(n.inputs[1]), &z = g.value(n.inputs[2]);
    if (!s.is_constant() || !z.is_constant() || s.data->numel() != 1 || z.data->numel() != 1 || z.dtype != DType::I8)
      continue;
    out[g.value(n.outputs[0]).name] = QuantParams{{s.data->data<float>()[0]}, {z.data->data<int8_t>()[0]}, -1};
  }
  return out;
}

ExportResult export_tflite(const ir::Graph& g, const ExportOptions& o) {
  ETCH_REQUIRE(o.batch >= 1, InvalidInput) << "TFLite export: batch must be at least 1, got " << o.batch;
  check_all(g);
  ExportWriter w(g, o);
  for (int v = 0; v < g.num_values(); ++v) {
    auto it = o.activation_params.find(g.value(v).name);
    if (it != o.activation_params.end() && g.value(v).dtype == DType::I8) w.set_params(v, it->second);
  }
  // A 4-D input keeps etch's NCHW shape; one TRANSPOSE makes it NHWC.
  std::vector<int> inputs, outputs;
  for (ir::ValueId v : g.inputs) {
    const ir::Value& val = g.value(v);
    const QuantParams* q = val.dtype == DType::I8 ? &w.params(v) : nullptr;
    const Shape s = w.etch_shape(v);
    const int t = w.add_tensor(val.name, val.dtype, s, q);
    inputs.push_back(t);
    if (s.size() != 4) {
      w.alias(v, t);
      continue;
    }
    const int perm = w.add_int32s("to_nhwc", {0, 2, 3, 1});
    const int nhwc = w.add_tensor(val.name + "/nhwc", val.dtype, w.shape_of(v), q);
    w.add_op(fb::BuiltinOperator_TRANSPOSE, 2, {t, perm}, {nhwc}, fb::BuiltinOptions_TransposeOptions,
             fb::CreateTransposeOptions(w.fbb()).Union());
    w.alias(v, nhwc);
  }
  const ExportTable& table = export_table();
  for (const ir::Node& n : g.nodes()) table.at(n.op_type).emit(w, n);
  for (ir::ValueId v : g.outputs) {
    const ir::Value& val = g.value(v);
    const int t = w.tensor(v);
    if (w.etch_shape(v).size() != 4) {
      outputs.push_back(t);
      continue;
    }
    const QuantParams* q = val.dtype == DType::I8 ? &w.params(v) : nullptr;
    // The graph output keeps the value's name; the NHWC tensor inside is renamed.
    w.rename_tensor(t, val.name + "/nhwc");
    const int out = w.add_tensor(val.name + "/nchw", val.dtype, w.etch_shape(v), q);
    w.rename_tensor(out, val.name);
    const int perm = w.add_int32s("to_nchw", {0, 3, 1, 2});
    w.add_op(fb::BuiltinOperator_TRANSPOSE, 2, {t, perm}, {out}, fb::BuiltinOptions_TransposeOptions,
             fb::CreateTransposeOptions(w.fbb()).Union());
    outputs.push_back(out);
  }
  ExportResult r;
  r.bytes = w.finish(inputs, outputs, r);
  return r;
}

ExportResult write_tflite(const ir::Graph& g, const std::string& path, const ExportOptions& o) {
  ExportResult r = export_tflite(g, o);
  write_file_atomic(path, r.bytes);
  return r;
}

}  // namespace etch::tflite
