// The whole of `etch quantize` that is not argument parsing or printing:
// PTQ (or QAT), lowering to integer ops, the per-layer error analysis, and the
// optional second round that keeps the worst layers in float.
#pragma once
#include <string>
#include <vector>

#include "etch/data/dataset.h"
#include "etch/ir/graph.h"
#include "etch/quant/float_nodes.h"
#include "etch/quant/layer_report.h"
#include "etch/quant/ptq.h"
#include "etch/quant/qat.h"

namespace etch::quant {

struct QuantizeModelOptions {
  PtqOptions ptq;
  int qat_epochs = 0;  // 0: PTQ only; otherwise QAT with `qat` (its epochs field is overwritten)
  QatOptions qat;
  // Keep this many layers with the worst SQNR in float: quantize once, rank the
  // layers, add the worst to ptq.keep_float and quantize again.
  int auto_keep_float = 0;
};

struct QuantizedModel {
  ir::Graph qdq;                        // QuantizeLinear/DequantizeLinear graph (what is exported)
  ir::Graph integer;                    // lower_qdq(qdq)
  std::vector<LayerError> errors;       // per layer, worst SQNR first (measured on `calib`)
  std::vector<std::string> kept_float;  // nodes auto_keep_float chose, worst first
  std::vector<FloatNode> float_nodes;   // nodes left in float, with the reason
};

// InvalidInput when auto_keep_float < 0 (and whatever PTQ/QAT reject).
QuantizedModel quantize_model(const ir::Graph& float_graph, const data::Dataset& calib,
                              const QuantizeModelOptions& opts);

// The graph as written to disk: intermediate shapes are left to the reader's
// shape inference (as PyTorch's exporter does) and intermediate tensors get
// short names ("t<id>"; graph inputs and outputs and node names are kept). In a
// small model both are a visible part of the file size.
ir::Graph compact_for_export(const ir::Graph& qdq);

}  // namespace etch::quant
