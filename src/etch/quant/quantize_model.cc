#include "etch/quant/quantize_model.h"

#include <algorithm>

#include "etch/core/error.h"
#include "etch/quant/lower_qdq.h"
#include "etch/quant/ptq_emit.h"

namespace etch::quant {
namespace {

// PTQ starts from `prepared` (prepare_for_ptq of float_graph, inputs already
// checked), QAT from the float graph.
ir::Graph quantize_once(const ir::Graph& float_graph, const ir::Graph& prepared, const data::Dataset& calib,
                        const QuantizeModelOptions& opts, const PtqOptions& ptq) {
  if (opts.qat_epochs <= 0) return quantize_prepared(prepared, calib, ptq);
  QatOptions q = opts.qat;
  q.epochs = opts.qat_epochs;
  return quantize_qat(float_graph, calib, ptq, q);
}

// The `count` layers with the worst SQNR that can be left in float: real nodes
// of the prepared graph, not the QuantizeLinear where float enters.
std::vector<std::string> worst_layers(const std::vector<LayerError>& errors, const ir::Graph& prepared, int count) {
  std::vector<std::string> worst;
  for (const auto& e : errors)
    if (static_cast<int>(worst.size()) < count && !e.node.empty() && prepared.find_node_by_name(e.node) &&
        !e.float_entry)
      worst.push_back(e.node);
  return worst;
}

}  // namespace

QuantizedModel quantize_model(const ir::Graph& float_graph, const data::Dataset& calib,
                              const QuantizeModelOptions& opts) {
  ETCH_REQUIRE(opts.auto_keep_float >= 0, InvalidInput)
      << "--auto-keep-float must be >= 0, got " << opts.auto_keep_float;
  PtqOptions ptq = opts.ptq;
  QuantizedModel m;
  // The float graph the QDQ one is made from, prepared once (equalization runs
  // the model over the calibration set); QAT does not equalize.
  // QAT checks its own inputs and runs first, as before.
  const bool qat = opts.qat_epochs > 0;
  ir::Graph prepared;
  if (!qat) {
    check_ptq_inputs(float_graph, calib, ptq);
    prepared = prepare_for_ptq(float_graph, calib, ptq);
  }
  m.qdq = quantize_once(float_graph, prepared, calib, opts, ptq);
  if (qat) prepared = prepare_for_quantization(float_graph);
  m.integer = lower_qdq(m.qdq);
  m.errors = layer_errors(prepared, m.qdq, m.integer, calib);
  if (opts.auto_keep_float > 0) {
    m.kept_float = worst_layers(m.errors, prepared, opts.auto_keep_float);
    for (const auto& w : m.kept_float) ptq.keep_float.insert(w);
    m.qdq = quantize_once(float_graph, prepared, calib, opts, ptq);
    m.integer = lower_qdq(m.qdq);
    m.errors = layer_errors(prepared, m.qdq, m.integer, calib);
  }
  m.float_nodes = float_nodes(prepared, plan_quantization(prepared, ptq.keep_float), ptq.keep_float);
  return m;
}

ir::Graph compact_for_export(const ir::Graph& qdq) {
  ir::Graph g = qdq;
  for (int v = 0; v < g.num_values(); ++v) {
    const bool io = std::find(g.inputs.begin(), g.inputs.end(), v) != g.inputs.end() ||
                    std::find(g.outputs.begin(), g.outputs.end(), v) != g.outputs.end();
    if (io) continue;
    ir::Value& val = g.value(v);
    if (!val.data) val.has_shape = false;
    if (val.name.size() <= 5) continue;
    // Appended, not "t" + ...: GCC 12's -Wrestrict misfires on that at -O3.
    std::string short_name(1, 't');
    short_name += std::to_string(v);
    val.name = g.unique_name(short_name);
  }
  return g;
}

}  // namespace etch::quant
