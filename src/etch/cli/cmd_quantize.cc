// etch quantize: calibrated post-training quantization (or QAT) of an ONNX
// model to a QDQ ONNX file, with float vs integer accuracy and a per-layer
// error table.
#include <fmt/format.h>
#include <sys/stat.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "etch/cli/command.h"
#include "etch/cli/table.h"
#include "etch/core/atomic_file.h"
#include "etch/data/dataset.h"
#include "etch/data/npy.h"
#include "etch/eval/load_model.h"
#include "etch/onnx/exporter.h"
#include "etch/onnx/importer.h"
#include "etch/quant/layer_report.h"
#include "etch/quant/lower_qdq.h"
#include "etch/quant/quantize_model.h"
#include "etch/runtime/interpreter.h"
#include "etch/train/trainer.h"

namespace etch::cli {
namespace {

struct QuantizeArgs {
  std::string model, data = "fashion-mnist:train", test = "fashion-mnist:test", output, calibrator = "sample-mse";
  std::string equalize = "activations";
  std::string bits_per_layer, report, save_outputs;
  std::vector<std::string> keep_float;
  int64_t calib_samples = 512;
  double percentile = 99.99;
  bool per_tensor = false, bias_correction = false, int4_as_int8 = false, json = false;
  int bits = 8, qat_epochs = 0, auto_keep_float = 0;
  int64_t qat_steps = 0, qat_freeze_bn_steps = 0, qat_batch = 0;
  float qat_lr = 1e-4f;
  uint64_t seed = 1;
};

int64_t file_size(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : -1;
}

std::string fmt_db(double v) { return std::isfinite(v) ? fmt::format("{:.1f}", v) : (v > 0 ? "inf" : "-inf"); }

// PREFIX_images.npy, PREFIX_labels.npy and PREFIX_int.npy (the integer
// runtime's logits) for comparisons with other runtimes
// (bench/quant_vs_pytorch/ort_agreement.mjs).
void save_test_outputs(const ir::Graph& integer, const data::Dataset& test_set, const std::string& prefix) {
  runtime::Interpreter it(integer);
  std::vector<float> logits;
  Shape out_shape;
  for (int64_t b = 0; b < test_set.size(); b += 500) {
    const Tensor y = it.run({data::slice_images(test_set, b, std::min(test_set.size(), b + 500))})[0];
    const auto v = y.to_float_vector();
    logits.insert(logits.end(), v.begin(), v.end());
    out_shape = y.shape();
  }
  out_shape[0] = test_set.size();
  std::vector<float> labels;
  for (int64_t l : test_set.labels.to_int64_vector()) labels.push_back(static_cast<float>(l));
  data::write_npy(prefix + "_images.npy", test_set.images);
  data::write_npy(prefix + "_int.npy", Tensor::from_vector<float>(out_shape, logits));
  data::write_npy(prefix + "_labels.npy", Tensor::from_vector<float>({test_set.size()}, labels));
}

quant::QuantizeModelOptions quantize_options(const QuantizeArgs& a, bool quiet) {
  quant::QuantizeModelOptions q;
  quant::PtqOptions& o = q.ptq;
  o.calibration = quant::parse_calibration(a.calibrator);
  o.percentile = a.percentile;
  o.calib_samples = a.calib_samples;
  o.per_channel = !a.per_tensor;
  o.weight_bits = a.bits;
  o.keep_float = {a.keep_float.begin(), a.keep_float.end()};
  o.bias_correction = a.bias_correction;
  o.equalization = quant::parse_equalization(a.equalize);
  o.int4_as_int8 = a.int4_as_int8;
  o.seed = a.seed;
  if (!a.bits_per_layer.empty()) {
    struct stat st {};
    const bool is_file = stat(a.bits_per_layer.c_str(), &st) == 0;
    o.bits_per_layer = quant::parse_bits_per_layer(is_file ? read_file(a.bits_per_layer) : a.bits_per_layer);
  }
  q.qat_epochs = a.qat_epochs;
  q.qat.max_steps_per_epoch = a.qat_steps;
  q.qat.freeze_bn_steps = a.qat_freeze_bn_steps;
  q.qat.batch_size = a.qat_batch;
  q.qat.lr = a.qat_lr;
  q.qat.seed = a.seed;
  q.qat.progress = !quiet;
  q.auto_keep_float = a.auto_keep_float;
  return q;
}

int run_quantize(QuantizeArgs& a) {
  const bool quiet = global_options().quiet || a.json;
  ir::Graph float_graph = eval::load_model(a.model);
  const quant::QuantizeModelOptions opts = quantize_options(a, quiet);
  const data::Dataset train_set = data::load_dataset(a.data);
  const bool has_test = !a.test.empty() && a.test != "none";
  data::Dataset test_set;
  if (has_test) test_set = data::load_dataset(a.test);

  const quant::QuantizedModel q = quant::quantize_model(float_graph, train_set, opts);
  const ir::Graph& integer = q.integer;
  const std::vector<quant::LayerError>& errors = q.errors;
  if (opts.auto_keep_float > 0 && !quiet)
    fmt::print("keeping in float (worst SQNR): {}\n", fmt::join(q.kept_float, ", "));
  onnx::export_model(quant::compact_for_export(q.qdq), a.output);
  nlohmann::json float_json = nlohmann::json::array();
  for (const quant::FloatNode& f : q.float_nodes)
    float_json.push_back({{"node", f.node}, {"op", f.op}, {"why", f.why}});
  if (!a.report.empty()) {
    const nlohmann::json report = {{"layers", nlohmann::json::parse(quant::layer_errors_json(errors))},
                                   {"float_nodes", float_json}};
    write_file_atomic(a.report, report.dump(2) + "\n");
  }

  double float_acc = -1, int_acc = -1;
  if (has_test) {
    float_acc = train::evaluate_accuracy(float_graph, test_set);
    int_acc = train::evaluate_accuracy(integer, test_set);
  }
  if (!a.save_outputs.empty()) {
    ETCH_REQUIRE(has_test, InvalidInput) << "--save-test-outputs needs a --test data set";
    save_test_outputs(integer, test_set, a.save_outputs);
  }
  const int64_t in_size = file_size(a.model), out_size = file_size(a.output);
  if (a.json) {
    nlohmann::json j;
    j["output"] = a.output;
    j["calibrator"] = a.calibrator;
    j["equalize"] = a.equalize;
    j["weight_bits"] = a.bits;
    if (has_test) {
      j["float_accuracy"] = float_acc;
      j["int_accuracy"] = int_acc;
    }
    j["float_bytes"] = in_size;
    j["quantized_bytes"] = out_size;
    j["integer_ops"] = quant::count_integer_ops(integer);
    j["layers"] = nlohmann::json::parse(quant::layer_errors_json(errors));
    j["float_nodes"] = float_json;
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  if (global_options().quiet) return 0;
  Table t({{"layer"},
           {"op"},
           {"SQNR dB", Align::Right},
           {"weights dB", Align::Right},
           {"act dB", Align::Right},
           {"dominant"}});
  const size_t shown = a.report.empty() ? std::min<size_t>(errors.size(), 10) : errors.size();
  for (size_t i = 0; i < shown; ++i) {
    const auto& e = errors[i];
    // A QuantizeLinear row is where float enters: name the float tensor.
    t.add_row({e.node.empty() || e.float_entry ? e.value : e.node, e.op, fmt_db(e.sqnr_db), fmt_db(e.weight_sqnr_db),
               fmt_db(e.act_sqnr_db), e.dominant});
  }
  fmt::print("per-layer SQNR, float vs integer activations (worst first{}):\n{}",
             shown < errors.size() ? ", top 10" : "", t.render());
  if (!q.float_nodes.empty()) {
    // QDQ fences every float region, so these run in float between DequantizeLinear and QuantizeLinear.
    Table ft({{"float node"}, {"op"}, {"why"}});
    const size_t fshown = a.report.empty() ? std::min<size_t>(q.float_nodes.size(), 20) : q.float_nodes.size();
    for (size_t i = 0; i < fshown; ++i) ft.add_row({q.float_nodes[i].node, q.float_nodes[i].op, q.float_nodes[i].why});
    fmt::print("{} node(s) stay float, with QuantizeLinear/DequantizeLinear at their boundary{}:\n{}",
               q.float_nodes.size(), fshown < q.float_nodes.size() ? " (first 20; --report FILE lists all)" : "",
               ft.render());
  }
  if (has_test)
    fmt::print("accuracy on {} ({} images): float {:.2f}%, int{} {:.2f}% (drop {:+.2f} pt)\n", a.test, test_set.size(),
               100 * float_acc, a.bits == 4 ? "4/8" : "8", 100 * int_acc, 100 * (float_acc - int_acc));
  fmt::print("wrote {} ({} bytes, {:.3f}x of the float model's {} bytes); {} integer ops\n", a.output, out_size,
             in_size > 0 ? static_cast<double>(out_size) / in_size : 0.0, in_size, quant::count_integer_ops(integer));
  if (!a.report.empty()) fmt::print("per-layer report: {}\n", a.report);
  return 0;
}

CommandRegistrar register_quantize(
    {"quantize", "quantize a float ONNX model to int8 / W4A8 (QDQ ONNX)", [](CLI::App& sub) {
       auto a = std::make_shared<QuantizeArgs>();
       sub.add_option("model", a->model, "float ONNX model")->required()->check(CLI::ExistingFile);
       sub.add_option("--data", a->data, "calibration (and QAT training) data set spec")->capture_default_str();
       sub.add_option("--test", a->test, "data set for float vs quantized accuracy, or 'none'")->capture_default_str();
       sub.add_option("--calib-samples", a->calib_samples, "calibration images (seeded draw)")->capture_default_str();
       sub.add_option("--calibrator", a->calibrator,
                      "sample-mse (mse per calibration sample, range covering 90% of them) | mse | minmax | ema | "
                      "percentile | entropy")
           ->capture_default_str();
       sub.add_option("--percentile", a->percentile, "percentile of the percentile calibrator")->capture_default_str();
       sub.add_flag("--per-tensor", a->per_tensor, "one weight scale per tensor instead of per output channel");
       sub.add_option("--bits", a->bits, "weight bits: 8 (int8) or 4 (W4A8)")->capture_default_str();
       sub.add_option("--bits-per-layer", a->bits_per_layer, "FILE or SPEC 'conv1=4,fc=8': weight bits per node");
       sub.add_option("--keep-float", a->keep_float, "node to leave in float (repeatable)");
       sub.add_option("--auto-keep-float", a->auto_keep_float, "keep the K layers with the worst SQNR in float");
       sub.add_flag("--bias-correction", a->bias_correction, "correct biases for the mean weight quantization error");
       sub.add_option(
              "--equalize", a->equalize,
              "cross-layer equalization of Conv pairs before calibration: none | weights (data-free, Nagel et al.) | "
              "activations (balances each channel's calibrated range against the next layer's weights)")
           ->capture_default_str();
       sub.add_flag("--int4-as-int8", a->int4_as_int8, "store 4-bit weights as int8 (ONNX Runtime can run the file)");
       sub.add_option("--qat-epochs", a->qat_epochs,
                      "quantization-aware training epochs (0: PTQ only); on data without labels QAT learns the float "
                      "model's outputs (self-distillation)");
       sub.add_option("--qat-batch", a->qat_batch,
                      "samples per QAT step (0: 128 with labels, 8 when matching the float model's outputs)")
           ->capture_default_str();
       sub.add_option("--qat-steps", a->qat_steps, "at most this many steps per QAT epoch (0: whole epoch)");
       sub.add_option("--qat-lr", a->qat_lr, "QAT learning rate")->capture_default_str();
       sub.add_option("--qat-freeze-bn-steps", a->qat_freeze_bn_steps,
                      "QAT steps with BatchNorm live (batch statistics) before it is folded into its conv and frozen; "
                      "0 folds it from the start")
           ->capture_default_str();
       sub.add_option("--report", a->report, "write the per-layer error report (JSON) here");
       sub.add_option(
           "--save-test-outputs", a->save_outputs,
           "write PREFIX_images.npy, PREFIX_labels.npy and PREFIX_int.npy (integer runtime logits) for the test set");
       sub.add_option("--seed", a->seed, "seed of the calibration draw and QAT")->capture_default_str();
       sub.add_option("-o,--output", a->output, "quantized model (QDQ ONNX)")->required();
       sub.add_flag("--json", a->json, "print results as JSON");
       sub.footer(
           "Example:\n  etch quantize cnn.onnx --data fashion-mnist:train --calib-samples 512 --calibrator mse "
           "-o cnn.int8.onnx --report layers.json\n  etch quantize cnn.onnx --bits 4 --qat-epochs 2 -o cnn.w4a8.onnx\n"
           "  etch quantize detector.onnx --data 'images:photos/?size=128x128' --test none --qat-epochs 4 -o "
           "det.int8.onnx");
       return [a] { return run_quantize(*a); };
     }});

}  // namespace
}  // namespace etch::cli
