// etch convert: a model in any format etch reads (ONNX, TFLite) written as
// ONNX: float TFLite models as float ONNX, int8 ones as QDQ (their scales and
// zero points become QuantizeLinear/DequantizeLinear pairs), for ONNX Runtime
// or any other ONNX consumer. The NHWC layout of a TFLite model stays at its
// inputs and outputs; inside, the graph is etch's NCHW form.
#include <fmt/format.h>

#include "etch/cli/command.h"
#include "etch/core/error.h"
#include "etch/eval/load_model.h"
#include "etch/onnx/exporter.h"

namespace etch::cli {
namespace {

struct ConvertArgs {
  std::string model, output;
};

int run_convert(const ConvertArgs& a) {
  const ir::Graph g = eval::load_model(a.model);
  // Only standard ONNX ops are readable by other ONNX runtimes.
  std::string custom;
  for (const ir::Node& n : g.nodes())
    if (!n.domain.empty() && n.domain != "ai.onnx" && custom.find(n.domain + ":" + n.op_type) == std::string::npos)
      custom += (custom.empty() ? "" : ", ") + n.domain + ":" + n.op_type;
  ETCH_REQUIRE(custom.empty(), Unsupported)
      << "model '" << a.model << "' has ops outside the standard ONNX domain (" << custom
      << "), which other ONNX runtimes cannot run; convert the float or QDQ model instead";
  onnx::export_model(g, a.output);
  if (!global_options().quiet)
    fmt::print("wrote {}: {} nodes, {} input(s), {} output(s), opset {}\n", a.output, g.nodes().size(), g.inputs.size(),
               g.outputs.size(), g.opset);
  return 0;
}

const CommandRegistrar register_convert{
    {"convert", "write a model (ONNX or TFLite) as ONNX", [](CLI::App& sub) -> std::function<int()> {
       auto a = std::make_shared<ConvertArgs>();
       sub.add_option("model", a->model, "model to read: ONNX or TFLite (.tflite; told apart by content)")
           ->required()
           ->check(CLI::ExistingFile);
       sub.add_option("-o,--output", a->output, "ONNX file to write (written atomically)")->required();
       sub.footer(
           "Example:\n  etch convert face_detection_short_range.tflite -o face.onnx\n"
           "Float TFLite models become float ONNX; int8 ones become QDQ ONNX that ONNX Runtime runs. Inputs and\n"
           "outputs keep their names and their (NHWC) layout.");
       return [a] { return run_convert(*a); };
     }}};

}  // namespace
}  // namespace etch::cli
