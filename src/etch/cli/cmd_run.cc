// etch run: run a model with the reference interpreter, on .npy inputs (one .npy
// written per output) or on a data set (a table of predictions and accuracy).
// Everything is computed before anything is written, so a failure leaves no files.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "etch/cli/command.h"
#include "etch/cli/run_io.h"
#include "etch/cli/table.h"
#include "etch/core/progress.h"
#include "etch/data/dataset.h"
#include "etch/data/loader.h"
#include "etch/data/npy.h"
#include "etch/eval/integer_graph.h"
#include "etch/eval/load_model.h"
#include "etch/onnx/importer.h"
#include "etch/passes/pipeline.h"
#include "etch/runtime/interpreter.h"
#include "etch/runtime/sample_feed.h"

namespace etch::cli {
namespace {

struct RunArgs {
  std::string model;
  std::vector<std::string> inputs;
  std::string output_dir;
  std::string data;
  int64_t batch = 64;
  int64_t show = 20;
  bool json = false;
  bool no_optimize = false;
  bool integer = false;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

nlohmann::json tensor_summary_json(const std::string& name, const Tensor& t) {
  nlohmann::json j = {{"name", name}, {"dtype", dtype_name(t.dtype())}, {"shape", t.shape()}};
  if (t.numel() > 0 && t.dtype() != DType::I4) {
    TensorStats s = tensor_stats(t);
    j["min"] = s.min;
    j["max"] = s.max;
    j["mean"] = s.mean;
  }
  return j;
}

// Each output's summary (and its file, when written), in output order.
nlohmann::json outputs_json(const std::vector<std::pair<std::string, Tensor>>& ordered,
                            const std::vector<std::string>& files) {
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < ordered.size(); ++i) {
    nlohmann::json o = tensor_summary_json(ordered[i].first, ordered[i].second);
    if (!files.empty()) o["file"] = files[i];
    list.push_back(o);
  }
  return list;
}

std::string outputs_table(const std::vector<std::pair<std::string, Tensor>>& ordered,
                          const std::vector<std::string>& files) {
  Table t({{"output", Align::Left, 40},
           {"dtype", Align::Left},
           {"shape", Align::Left},
           {"min", Align::Right},
           {"max", Align::Right},
           {"mean", Align::Right},
           {"file", Align::Left}});
  for (size_t i = 0; i < ordered.size(); ++i) {
    const Tensor& out = ordered[i].second;
    std::string mn = "", mx = "", mean = "";
    if (out.numel() > 0 && out.dtype() != DType::I4) {
      TensorStats s = tensor_stats(out);
      mn = fmt::format("{:.4g}", s.min), mx = fmt::format("{:.4g}", s.max), mean = fmt::format("{:.4g}", s.mean);
    }
    t.add_row({ordered[i].first, dtype_name(out.dtype()), shape_str(out.shape()), mn, mx, mean,
               files.empty() ? "-" : files[i]});
  }
  return t.render();
}

int run_on_files(const RunArgs& a, const ir::Graph& g) {
  std::map<std::string, Tensor> inputs = load_run_inputs(g, a.inputs);
  runtime::Interpreter interp(g);
  const auto t0 = std::chrono::steady_clock::now();
  std::map<std::string, Tensor> outputs = interp.run_named(inputs);
  const double secs = seconds_since(t0);

  std::vector<std::pair<std::string, Tensor>> ordered;
  for (ir::ValueId v : g.outputs) ordered.emplace_back(g.value(v).name, outputs.at(g.value(v).name));
  std::vector<std::string> files;
  if (!a.output_dir.empty()) files = write_outputs_atomically(a.output_dir, ordered);

  const bool json = a.json;
  if (json) {
    nlohmann::json j;
    j["model"] = a.model;
    j["seconds"] = secs;
    j["outputs"] = outputs_json(ordered, files);
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  if (global_options().quiet) return 0;
  fmt::print("{}", outputs_table(ordered, files));
  fmt::print("ran {} in {:.3f} s\n", a.model, secs);
  if (files.empty()) fmt::print("(give --output-dir DIR to save each output as DIR/<output>.npy)\n");
  return 0;
}

// A data set without labels: the outputs over every sample, as for --input.
int print_unlabelled_run(const std::string& model, const std::string& data, int64_t n, double secs,
                         const std::vector<std::pair<std::string, Tensor>>& ordered,
                         const std::vector<std::string>& files, bool json) {
  if (json) {
    nlohmann::json j = {{"model", model}, {"data", data}, {"samples", n}, {"seconds", secs}};
    j["outputs"] = outputs_json(ordered, files);
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  if (global_options().quiet) return 0;
  fmt::print("{}", outputs_table(ordered, files));
  fmt::print("ran {} on {} samples of {} (no labels) in {:.3f} s\n", model, n, data, secs);
  for (const auto& f : files) fmt::print("wrote {}\n", f);
  return 0;
}

int run_on_dataset(const RunArgs& a, const ir::Graph& g) {
  ETCH_REQUIRE(a.inputs.empty(), InvalidInput) << "give either --input or --data, not both";
  ETCH_REQUIRE(a.batch >= 1, InvalidInput) << "--batch must be at least 1, got " << a.batch;
  const data::Dataset ds = data::load_dataset(a.data);
  ETCH_REQUIRE(ds.size() > 0, InvalidInput) << "data set '" << a.data << "' is empty";
  // Which array feeds which input, and how a fixed batch is chunked: runtime::SampleFeed.
  runtime::SampleFeed feed(g, data::named_arrays(ds), a.batch, {}, {ds.carry, ds.sequence});
  const int64_t batch = feed.chunk();

  runtime::Interpreter interp(g);
  const int64_t n = ds.size();
  const bool labelled = ds.has_labels();
  std::vector<std::vector<Tensor>> per_batch;  // outputs of each batch, for --output-dir and the summary
  std::vector<int64_t> predicted(n), labels = labelled ? ds.labels.to_int64_vector() : std::vector<int64_t>{};
  std::vector<float> confidence(n);
  std::vector<int64_t> rows(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) rows[static_cast<size_t>(i)] = i;
  Progress progress("run", n);
  const auto t0 = std::chrono::steady_clock::now();
  runtime::run_feed(interp, feed, rows, [&](size_t b, size_t count, std::vector<Tensor>& outs) {
    ETCH_REQUIRE(!outs.empty(), InvalidInput) << a.model << ": model has no outputs";
    const int64_t begin = static_cast<int64_t>(b), end = begin + static_cast<int64_t>(count);
    if (labelled) classify_rows(a.model, g.value(g.outputs[0]).name, outs[0], begin, end, predicted, confidence);
    if (!labelled || !a.output_dir.empty()) per_batch.push_back(std::move(outs));
    progress.advance(end - begin);
  });
  const double secs = seconds_since(t0);
  progress.finish();

  std::vector<std::pair<std::string, Tensor>> ordered;
  if (!per_batch.empty())
    for (size_t i = 0; i < g.outputs.size(); ++i) {
      std::vector<Tensor> parts;
      for (auto& pb : per_batch) parts.push_back(pb[i]);
      ordered.emplace_back(g.value(g.outputs[i]).name, runtime::concat_rows(parts));
    }
  std::vector<std::string> files;
  if (!a.output_dir.empty()) files = write_outputs_atomically(a.output_dir, ordered);
  if (!labelled) return print_unlabelled_run(a.model, a.data, n, secs, ordered, files, a.json);

  int64_t correct = 0;
  for (int64_t i = 0; i < n; ++i) correct += predicted[i] == labels[i];
  const double accuracy = static_cast<double>(correct) / static_cast<double>(n);
  auto class_label = [&](int64_t c) {
    if (c >= 0 && c < static_cast<int64_t>(ds.class_names.size())) return fmt::format("{} {}", c, ds.class_names[c]);
    return std::to_string(c);
  };
  if (a.json) {
    nlohmann::json j = {{"model", a.model},
                        {"data", a.data},
                        {"images", n},
                        {"correct", correct},
                        {"accuracy", accuracy},
                        {"seconds", secs},
                        {"images_per_second", secs > 0 ? n / secs : 0.0},
                        {"batch", batch}};
    for (int64_t i = 0; i < n; ++i)
      j["predictions"].push_back(
          {{"index", i}, {"label", labels[i]}, {"predicted", predicted[i]}, {"confidence", confidence[i]}});
    if (!files.empty()) j["files"] = files;
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  if (global_options().quiet) return 0;
  Table t({{"#", Align::Right},
           {"label", Align::Left},
           {"predicted", Align::Left},
           {"confidence", Align::Right},
           {"", Align::Left}});
  const int64_t shown = std::min<int64_t>(n, std::max<int64_t>(a.show, 0));
  for (int64_t i = 0; i < shown; ++i)
    t.add_row({std::to_string(i), class_label(labels[i]), class_label(predicted[i]),
               fmt::format("{:.1f}%", 100.0 * confidence[i]), predicted[i] == labels[i] ? "" : "wrong"});
  if (shown > 0) fmt::print("{}", t.render());
  if (shown < n) fmt::print("({} more rows not shown; --show N to see more)\n", n - shown);
  fmt::print("accuracy: {}/{} = {:.2f}% on {}\n", correct, n, 100.0 * accuracy, a.data);
  fmt::print("{} images in {:.3f} s ({:.0f} images/s, batch {})\n", n, secs, secs > 0 ? n / secs : 0.0, batch);
  for (const auto& f : files) fmt::print("wrote {}\n", f);
  return 0;
}

int run_run(const RunArgs& a) {
  ETCH_REQUIRE(!a.inputs.empty() || !a.data.empty(), InvalidInput)
      << "nothing to run on: give --input [NAME=]FILE.npy for each model input, or --data SPEC";
  ir::Graph g = eval::load_model(a.model);
  if (a.integer) {
    // What compile, simulate and validate run: QDQ pairs lowered to etch's
    // integer ops, on the integer runtime. Exits 2 naming the model when it
    // holds no quantization.
    g = eval::to_integer_graph(g, a.model);
  } else if (!a.no_optimize) {
    passes::PassContext ctx;
    ctx.evaluate = runtime::run_node;
    passes::run_pipeline(g, passes::inference_pipeline(), ctx);
  }
  return a.data.empty() ? run_on_files(a, g) : run_on_dataset(a, g);
}

const CommandRegistrar register_run{
    {"run", "run a model on .npy inputs or on a data set with the reference interpreter",
     [](CLI::App& sub) -> std::function<int()> {
       auto a = std::make_shared<RunArgs>();
       sub.add_option("model", a->model, "ONNX model")->required();
       sub.add_option("--input,-i", a->inputs,
                      "NAME=FILE.npy for each model input (just FILE.npy if the model has one input)");
       sub.add_option("--output-dir,-o", a->output_dir,
                      "write each output to DIR/<output name>.npy (created if missing; nothing is written if the "
                      "run fails)");
       sub.add_option("--data", a->data,
                      "classify a data set instead: fashion-mnist:test[:N], npz:FILE.npz, images:DIR");
       sub.add_option("--batch", a->batch, "images per batch with --data (default 64)");
       sub.add_option("--show", a->show, "rows of the prediction table to print with --data (default 20)");
       sub.add_flag("--json", a->json, "print machine-readable JSON");
       sub.add_flag("--integer", a->integer,
                    "run a quantized (QDQ) model as etch's integer ops, bit for bit what the NPU computes (the "
                    "default runs the QDQ graph in float, as ONNX Runtime reads it)");
       sub.add_flag("--no-optimize", a->no_optimize,
                    "run the graph exactly as written (default: fold BatchNorm into Conv/Gemm and fuse Conv with "
                    "a following Relu/Clip first, as ONNX Runtime does; outputs differ by float rounding only)");
       sub.footer(
           "Examples:\n"
           "  etch run fixtures/cnn.onnx --input fixtures/cnn_input.npy --output-dir out/\n"
           "  etch run model.onnx --input a=a.npy --input b=b.npy -o out/\n"
           "  etch run fixtures/cnn.onnx --data fashion-mnist:test:10\n"
           "  etch run model.int8.onnx --integer --data fashion-mnist:test");
       return [a] { return run_run(*a); };
     }}};

}  // namespace
}  // namespace etch::cli
