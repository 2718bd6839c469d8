// int8 .tflite export: etch's integer graph (quant::lower_qdq's output, the
// graph `etch compile` lowers) written as a TFLite model whose int8 ops follow
// TFLite's int8 quantization spec, which etch's integer semantics are defined
// by (docs/quantization.md). Every requantization parameter TFLite derives
// from the written scales is checked to equal etch's, so TFLite's runtime
// computes the same integers. 4-D activations are NHWC inside the model; a
// 4-D graph input or output keeps etch's NCHW shape with a TRANSPOSE at the
// boundary, so the .tflite takes and gives the same arrays as the source model.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "etch/core/tensor.h"
#include "etch/ir/graph.h"

namespace etch::tflite {

struct ExportOptions {
  // The batch size written into the model's static shapes (a graph's dynamic
  // batch dimension becomes this).
  int64_t batch = 1;
  // Scale and zero point of int8 activations by value name, for integer ops
  // that do not carry their output's parameters as attributes (QLut): the
  // QuantizeLinear outputs of the QDQ graph the integer graph was lowered from.
  std::map<std::string, QuantParams> activation_params;
  // Lookup tables (QLut) as GATHER from etch's table instead of TFLite's
  // LOGISTIC / TANH / HARD_SWISH, whose own int8 approximations differ from
  // the table by a step here and there. Functions without a TFLite op are
  // always written as GATHER.
  bool exact_lookup_tables = false;
};

struct ExportResult {
  std::string bytes;                     // the .tflite file
  std::map<std::string, int> op_counts;  // TFLite builtin name → operators
  int tensors = 0;
  // Per-channel weight scales moved by a few ulps so that TFLite derives
  // etch's multiplier, and multipliers no float scale reproduces (TFLite's
  // then differs in the last bits; each is named in `notes`).
  int weight_scales_adjusted = 0;
  int multipliers_differing = 0;
  std::vector<std::string> notes;
};

// The per-tensor int8 parameters of every QuantizeLinear output of a QDQ
// graph, by value name: quant::lower_qdq's integer ops produce those values.
std::map<std::string, QuantParams> qdq_activation_params(const ir::Graph& qdq);

// Throws Unsupported naming every node (name and op) that cannot be written,
// all at once, before anything is built.
ExportResult export_tflite(const ir::Graph& integer_graph, const ExportOptions& options = {});

// export_tflite written to `path` atomically (nothing is written on error).
ExportResult write_tflite(const ir::Graph& integer_graph, const std::string& path, const ExportOptions& options = {});

}  // namespace etch::tflite
