// etch export: an int8 model (etch's QDQ ONNX, as `etch quantize` writes it,
// or an int8 .tflite) lowered to etch's integer ops as `etch compile` lowers
// it, and written as a fully int8 .tflite (src/etch/tflite/exporter.h).
#include <fmt/format.h>

#include "etch/cli/command.h"
#include "etch/core/error.h"
#include "etch/eval/load_model.h"
#include "etch/onnx/exporter.h"
#include "etch/quant/lower_qdq.h"
#include "etch/quant/ptq.h"
#include "etch/tflite/exporter.h"

namespace etch::cli {
namespace {

struct ExportArgs {
  std::string model, output, integer_onnx;
  int64_t batch = 1;
  bool exact_lookup_tables = false;
};

int run_export(const ExportArgs& a) {
  const ir::Graph g = eval::load_model(a.model);
  ETCH_REQUIRE(quant::count_integer_ops(g) > 0 || quant::is_quantized(g), InvalidInput)
      << "model '" << a.model << "' is not quantized; `etch quantize` it first (the .tflite export writes int8 models)";
  tflite::ExportOptions o;
  o.batch = a.batch;
  o.exact_lookup_tables = a.exact_lookup_tables;
  o.activation_params = tflite::qdq_activation_params(g);
  const ir::Graph integer = quant::count_integer_ops(g) > 0 ? g : quant::lower_qdq(g);
  const tflite::ExportResult r = tflite::export_tflite(integer, o);
  if (!a.integer_onnx.empty()) onnx::export_model(integer, a.integer_onnx);
  tflite::write_tflite(integer, a.output, o);
  if (global_options().quiet) return 0;
  std::string ops;
  for (const auto& [name, count] : r.op_counts) ops += fmt::format("{}{} {}", ops.empty() ? "" : ", ", count, name);
  fmt::print("wrote {} ({} bytes): {} tensors; operators: {}\n", a.output, r.bytes.size(), r.tensors, ops);
  if (r.weight_scales_adjusted > 0)
    fmt::print("{} weight scale(s) moved by a few ulps so that TFLite derives etch's requantization multiplier\n",
               r.weight_scales_adjusted);
  for (const std::string& note : r.notes) fmt::print("note: {}\n", note);
  if (!a.integer_onnx.empty()) fmt::print("wrote {} (the integer graph that was exported)\n", a.integer_onnx);
  return 0;
}

const CommandRegistrar register_export{
    {"export", "write an int8 model as a fully int8 TFLite model", [](CLI::App& sub) -> std::function<int()> {
       auto a = std::make_shared<ExportArgs>();
       sub.add_option("model", a->model, "int8 model: QDQ ONNX from `etch quantize`, or an int8 .tflite")
           ->required()
           ->check(CLI::ExistingFile);
       sub.add_option("-o,--output", a->output, ".tflite file to write (written atomically)")->required();
       sub.add_option("--batch", a->batch, "batch size of the model's static shapes (TFLite shapes are fixed)")
           ->capture_default_str();
       sub.add_flag("--exact-lookup-tables", a->exact_lookup_tables,
                    "write sigmoid/tanh/hard-swish lookup tables as GATHER from etch's table (bit-exact) instead of "
                    "TFLite's LOGISTIC/TANH/HARD_SWISH, whose int8 approximations differ by a step here and there");
       sub.add_option("--integer-onnx", a->integer_onnx,
                      "also write the integer graph that was exported (etch's ai.etch ops) as ONNX; `etch run` "
                      "runs it with etch's integer reference kernels");
       sub.footer(
           "Example:\n  etch quantize cnn.onnx --data fashion-mnist:train -o cnn.int8.onnx\n"
           "  etch export cnn.int8.onnx -o cnn.int8.tflite\n"
           "int8 activations with zero points, per-channel symmetric int8 weights, int32 biases; float inputs and\n"
           "outputs go through QUANTIZE/DEQUANTIZE. 4-D inputs and outputs keep etch's NCHW shape (a TRANSPOSE at\n"
           "the boundary). Nodes that cannot be written are listed all at once (exit 2) and nothing is written.");
       return [a] { return run_export(*a); };
     }}};

}  // namespace
}  // namespace etch::cli
