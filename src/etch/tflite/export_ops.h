// Op writers of the int8 .tflite exporter, by etch op ("QConv" for domain
// ai.etch ops too: their names do not collide with ONNX's). Each family file
// registers its writers in one function; `check` answers before anything is
// written whether (and why not) a node can be exported, so that every
// unsupported node is reported at once.
#pragma once
#include <map>
#include <string>

#include "etch/tflite/export_writer.h"

namespace etch::tflite {

struct OpExporter {
  std::string (*check)(const ir::Graph& g, const ir::Node& n);  // "" when writable, else why not
  void (*emit)(ExportWriter& w, const ir::Node& n);
};
using ExportTable = std::map<std::string, OpExporter>;

const ExportTable& export_table();
void register_export_weighted_ops(ExportTable& t);  // QConv, QGemm, QAveragePool
void register_export_other_ops(ExportTable& t);     // QAdd, QMul, QLut, pools, shapes (+ the float ones)
void register_export_float_ops(ExportTable& t);     // Q/DQ at the float boundary, float arithmetic, mean

// "" when input i of n exists, has dtype `want` and a known shape; else why not.
std::string input_of_type(const ir::Graph& g, const ir::Node& n, size_t i, DType want);

// TFLite's fused activation for an int8 output clamped to [act_min, act_max]:
// the code TFLite turns into exactly that range for the output's parameters,
// or, when none does, NONE and MAXIMUM/MINIMUM ops after the core op.
struct OutputClamp {
  int fused = 0;      // fb::ActivationFunctionType
  int core_out = -1;  // tensor the core op writes
  int32_t lo = -128, hi = 127;
  bool extra = false;  // clamp ops needed after the core op
};
OutputClamp begin_output(ExportWriter& w, ir::ValueId y, int32_t act_min, int32_t act_max);
void end_output(ExportWriter& w, ir::ValueId y, const OutputClamp& c);

// {VALID or SAME, pads TFLite cannot express} for a window op: SAME when the
// explicit pads are TFLite's SAME padding, VALID when zero; otherwise
// `needs_pad` and the pads to write as a PAD op before a VALID op.
struct TflitePadding {
  fb::Padding padding = fb::Padding_VALID;
  bool needs_pad = false;
  std::vector<int64_t> begin, end;  // H, W
};
TflitePadding tflite_padding(const std::vector<int64_t>& in, const std::vector<int64_t>& kernel,
                             const std::vector<int64_t>& strides, const std::vector<int64_t>& dilations,
                             const std::vector<int64_t>& pad_begin, const std::vector<int64_t>& pad_end);
// Writes PAD (int8: padding holds the zero point) of tensor x per p; returns the padded tensor.
int pad_input(ExportWriter& w, int x, const std::string& name, const QuantParams* q, const TflitePadding& p);

}  // namespace etch::tflite
