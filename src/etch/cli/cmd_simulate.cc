// etch simulate: run an NPU program on the cycle-level simulator. From the
// program file alone when its only host work is quantizing the input and
// dequantizing the output; with --model (the model it was compiled from) any
// program, host segments running on the reference interpreter. --compare also
// runs the integer reference interpreter on the same images: bit-exactness
// and the simulator's speed relative to it.
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>

#include "etch/cli/command.h"
#include "etch/cli/run_io.h"
#include "etch/cli/table.h"
#include "etch/compiler/compiler.h"
#include "etch/core/atomic_file.h"
#include "etch/core/progress.h"
#include "etch/data/dataset.h"
#include "etch/data/npy.h"
#include "etch/eval/integer_graph.h"
#include "etch/eval/load_model.h"
#include "etch/eval/npu_executor.h"
#include "etch/eval/sim_stats_json.h"
#include "etch/npu/program.h"
#include "etch/onnx/importer.h"
#include "etch/runtime/interpreter.h"
#include "etch/runtime/sample_feed.h"
#include "etch/sim/program_runner.h"
#include "etch/sim/simulator.h"

namespace etch::cli {
namespace {

struct SimArgs {
  std::string program, data, input, model, trace;
  int64_t batch = 100;
  bool compare = false, layers = false, json = false;
};

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int64_t argmax_row(const Tensor& t, int64_t row) {
  const int64_t k = t.numel() / t.dim(0);
  int64_t best = 0;
  double bv = -INFINITY;
  for (int64_t i = 0; i < k; ++i) {
    const double v = t.get_as_double(row * k + i);
    if (v > bv) bv = v, best = i;
  }
  return best;
}

// Recompiles `g` and checks it reproduces the program file.
compiler::CompiledModel matching_compile(const ir::Graph& g, const npu::Program& p, const std::string& label) {
  const std::string want = npu::serialize_program(p);
  // Every combination of `etch compile`'s mapping flags, the default first.
  for (bool naive : {false, true})
    for (bool sparse : {true, false})
      for (bool pack : {true, false})
        for (bool on_chip : {true, false}) {
          if (naive && (!pack || !on_chip)) continue;  // the naive plan never packs groups nor keeps activations
          compiler::CompileOptions o;
          o.naive = naive;
          o.allow_sparse = sparse;
          o.pack_groups = pack;
          o.on_chip_activations = on_chip;
          compiler::CompiledModel m = compiler::compile(g, p.target, o);
          if (npu::serialize_program(m.program) == want) return m;
        }
  ETCH_FAIL(InvalidInput) << "program '" << label << "' was not compiled from this model for target '" << p.target.name
                          << "' (recompiling gives a different program)";
}

void print_stats(const sim::SimStats& s, const npu::Target& t, bool layers) {
  const double n = std::max<int64_t>(1, s.runs);
  const sim::LayerStats& x = s.total;
  Table tt({{"per image", Align::Left}, {"value", Align::Right}});
  tt.add_row({"cycles", group_thousands(static_cast<int64_t>(x.cycles / n))});
  tt.add_row({"latency", fmt::format("{:.4f} ms at {} MHz", x.cycles / n / (t.clock_mhz * 1e3), t.clock_mhz)});
  tt.add_row({"energy", fmt::format("{:.3f} uJ", x.energy_pj / n / 1e6)});
  tt.add_row(
      {"DRAM read / write", fmt::format("{} / {} bytes", group_thousands(static_cast<int64_t>(x.dram_read_bytes / n)),
                                        group_thousands(static_cast<int64_t>(x.dram_write_bytes / n)))});
  tt.add_row({"SRAM traffic", fmt::format("{} bytes", group_thousands(static_cast<int64_t>(x.sram_bytes / n)))});
  tt.add_row({"MACs", group_thousands(static_cast<int64_t>(x.macs / n))});
  tt.add_row({"array utilization",
              fmt::format("{:.1f}%", 100.0 * x.macs / (double(t.rows) * t.cols * std::max<int64_t>(1, x.cycles)))});
  tt.add_row(
      {"array busy (streaming)", fmt::format("{:.1f}%", 100.0 * x.array_cycles / std::max<int64_t>(1, x.cycles))});
  tt.add_row({"stall: compute waits load", group_thousands(static_cast<int64_t>(x.compute_wait_load / n))});
  tt.add_row({"stall: compute waits store", group_thousands(static_cast<int64_t>(x.compute_wait_store / n))});
  tt.add_row({"stall: load waits compute", group_thousands(static_cast<int64_t>(x.load_wait_compute / n))});
  tt.add_row({"stall: store waits compute", group_thousands(static_cast<int64_t>(x.store_wait_compute / n))});
  tt.add_row({"stall: DRAM contention", group_thousands(static_cast<int64_t>(x.dram_contention / n))});
  fmt::print("{}", tt.render());
  if (!layers) return;
  Table lt({{"layer", Align::Left, 28},
            {"kind", Align::Left},
            {"cycles", Align::Right},
            {"util", Align::Right},
            {"wait load", Align::Right},
            {"wait store", Align::Right},
            {"DRAM bytes", Align::Right},
            {"energy nJ", Align::Right}});
  for (size_t i = 0; i < s.layers.size(); ++i) {
    const sim::LayerStats& l = s.layers[i];
    lt.add_row({i < s.layer_info.size() ? s.layer_info[i].name : std::to_string(i),
                i < s.layer_info.size() ? s.layer_info[i].kind : "",
                group_thousands(static_cast<int64_t>(l.cycles / n)),
                fmt::format("{:.1f}%", 100.0 * l.macs / (double(t.rows) * t.cols * std::max<int64_t>(1, l.cycles))),
                group_thousands(static_cast<int64_t>(l.compute_wait_load / n)),
                group_thousands(static_cast<int64_t>(l.compute_wait_store / n)),
                group_thousands(static_cast<int64_t>((l.dram_read_bytes + l.dram_write_bytes) / n)),
                fmt::format("{:.1f}", l.energy_pj / n / 1e3)});
  }
  fmt::print("{}", lt.render());
}

// What a simulation run measured, for the JSON or the terminal report.
struct SimRun {
  sim::SimStats stats;
  std::vector<int64_t> predicted;  // arg-max class per image
  int64_t mismatches = 0;          // images whose outputs differ from the reference (--compare)
  double sim_secs = 0, ref_secs = 0;
  std::vector<sim::TraceEvent> trace;  // the first image's engines (--trace)
};

// The program alone: the simulator runs every segment, the host ops in between.
void run_standalone(const SimArgs& a, const npu::Program& p, const Tensor& images, SimRun& r) {
  const int64_t n = images.dim(0);
  r.predicted.resize(n);
  std::vector<sim::TraceEvent>* tp = a.trace.empty() ? nullptr : &r.trace;
  Progress progress("simulate", n);
  sim::ProgramRunner runner(p);
  for (int64_t b = 0; b < n; b += a.batch) {
    const int64_t e = std::min(n, b + a.batch);
    const Tensor x = slice_rows(images, b, e);
    const auto t0 = std::chrono::steady_clock::now();
    const Tensor y = runner.run_batch(x, r.stats, b == 0 ? tp : nullptr);
    r.sim_secs += since(t0);
    for (int64_t i = b; i < e; ++i) r.predicted[i] = argmax_row(y, i - b);
    progress.advance(e - b);
  }
  progress.finish();
}

// With --model: the graph's host nodes run on the interpreter, and with
// --compare every sample is also run on the integer reference. The data feed
// every model input as `etch run` feeds them (runtime::SampleFeed: arrays by
// input name, zeros for recurrent state, fixed batches chunk by chunk).
void run_with_model(const SimArgs& a, const npu::Program& p, const std::map<std::string, Tensor>& arrays, SimRun& r) {
  std::vector<sim::TraceEvent>* tp = a.trace.empty() ? nullptr : &r.trace;
  const ir::Graph g = eval::to_integer_graph(eval::load_model(a.model), a.model);
  const compiler::CompiledModel m = matching_compile(g, p, a.program);
  const runtime::SampleFeed feed(g, arrays, a.batch);
  const int64_t n = feed.samples();
  r.predicted.resize(n);
  std::vector<int64_t> rows(n);
  std::iota(rows.begin(), rows.end(), int64_t{0});
  Progress progress("simulate", n);
  eval::NpuExecutor ex(g, m);
  std::unique_ptr<runtime::Interpreter> ref;
  if (a.compare) ref = std::make_unique<runtime::Interpreter>(g);
  auto run_rows = [&](auto& runner, int64_t b, int64_t e) {
    std::vector<Tensor> y = runner.run(feed.inputs(rows, b, e));
    if (feed.padded()) feed.drop_padding(y, e - b);
    return y;
  };
  for (int64_t b = 0; b < n; b += feed.chunk()) {
    const int64_t e = std::min(n, b + feed.chunk());
    ex.set_trace(b == 0 ? tp : nullptr);
    if (b == 0 && tp) {  // trace the first sample only
      run_rows(ex, 0, 1);
      ex.set_trace(nullptr);
      ex.reset_stats();
    }
    auto t0 = std::chrono::steady_clock::now();
    const std::vector<Tensor> y = run_rows(ex, b, e);
    r.sim_secs += since(t0);
    for (int64_t i = b; i < e; ++i) r.predicted[i] = argmax_row(y[0], i - b);
    if (ref) {
      // The interpreter runs one sample at a time too, so both sides do the same work.
      for (int64_t i = b; i < e; ++i) {
        t0 = std::chrono::steady_clock::now();
        const std::vector<Tensor> out = run_rows(*ref, i, i + 1);
        r.ref_secs += since(t0);
        bool same = true;
        // A one-sample chunk's outputs are compared whole: a recurrent state
        // output such as [2, 1, 128] has no batch axis.
        for (size_t o = 0; o < out.size(); ++o)
          same &= out[o].equals(e - b == 1 ? y[o] : eval::batch_item(y[o], i - b));
        r.mismatches += !same;
      }
    }
    progress.advance(e - b);
  }
  r.stats = ex.stats();
  progress.finish();
}

// The statistics in report.json's "npu" schema, plus this run's own fields.
void print_json(const SimArgs& a, const npu::Target& t, const SimRun& r, int64_t n, bool has_labels, int64_t correct) {
  nlohmann::json j = eval::to_json(r.stats, t, static_cast<int64_t>(std::filesystem::file_size(a.program)));
  j["program"] = a.program;
  j["simulator_seconds"] = r.sim_secs;
  if (has_labels) j["accuracy"] = double(correct) / n, j["correct"] = correct;
  if (a.compare) {
    j["reference_seconds"] = r.ref_secs;
    j["mismatched_images"] = r.mismatches;
    j["bit_exact"] = r.mismatches == 0;
  }
  fmt::print("{}\n", j.dump(2));
}

void print_text(const SimArgs& a, const npu::Target& t, const SimRun& r, int64_t n, bool has_labels, int64_t correct) {
  fmt::print("{} on target {} ({}x{} {}, {} MHz): {} image(s)\n", a.program, t.name, t.rows, t.cols,
             npu::dataflow_name(t.dataflow), t.clock_mhz, n);
  print_stats(r.stats, t, a.layers);
  if (has_labels) fmt::print("accuracy: {}/{} = {:.2f}%\n", correct, n, 100.0 * correct / n);
  fmt::print("simulator: {:.3f} s ({:.0f} images/s)\n", r.sim_secs, n / std::max(1e-9, r.sim_secs));
  if (a.compare) {
    fmt::print("reference interpreter: {:.3f} s; simulator / interpreter time = {:.2f}x\n", r.ref_secs,
               r.sim_secs / std::max(1e-9, r.ref_secs));
    fmt::print("bit-exact vs the integer reference: {} ({} of {} images differ)\n", r.mismatches == 0 ? "yes" : "NO",
               r.mismatches, n);
  }
  if (!a.trace.empty()) fmt::print("wrote trace {} (open in https://ui.perfetto.dev or chrome://tracing)\n", a.trace);
}

int run_simulate(const SimArgs& a) {
  const npu::Program p = npu::load_program(a.program);
  ETCH_REQUIRE(a.data.empty() != a.input.empty(), InvalidInput)
      << "give exactly one of --data SPEC or --input FILE.npy";
  ETCH_REQUIRE(!a.compare || !a.model.empty(), InvalidInput)
      << "--compare needs --model (the reference to compare with)";
  std::map<std::string, Tensor> arrays;  // every input array by name
  Tensor labels;
  if (!a.data.empty()) {
    const data::Dataset ds = data::load_dataset(a.data);
    arrays = data::named_arrays(ds);
    labels = ds.labels;
  } else {
    const Tensor x = data::read_npy(a.input);
    ETCH_REQUIRE(x.dtype() == DType::F32, InvalidInput) << a.input << ": expected float32 input";
    arrays["x"] = x;
  }
  SimRun r;
  if (a.model.empty()) {
    ETCH_REQUIRE(arrays.size() == 1, InvalidInput)
        << "data set '" << a.data << "' has " << arrays.size()
        << " input arrays; the program alone takes one (give --model to feed a model with several inputs)";
    run_standalone(a, p, arrays.begin()->second, r);
  } else {
    run_with_model(a, p, arrays, r);
  }
  const int64_t n = static_cast<int64_t>(r.predicted.size());
  if (!a.trace.empty()) write_file_atomic(a.trace, sim::trace_json(r.trace, p));
  int64_t correct = 0;
  const bool has_labels = labels.defined() && labels.numel() == n;
  if (has_labels) {
    const auto lab = labels.to_int64_vector();
    for (int64_t i = 0; i < n; ++i) correct += r.predicted[i] == lab[i];
  }
  if (a.json)
    print_json(a, p.target, r, n, has_labels, correct);
  else if (!global_options().quiet)
    print_text(a, p.target, r, n, has_labels, correct);
  return a.compare && r.mismatches ? 1 : 0;
}

const CommandRegistrar register_simulate{
    {"simulate", "run an NPU program on the cycle-level simulator: cycles, energy, accuracy",
     [](CLI::App& sub) -> std::function<int()> {
       auto a = std::make_shared<SimArgs>();
       sub.add_option("program", a->program, "program file from etch compile")->required();
       sub.add_option("--data", a->data, "data set: fashion-mnist:test[:N], npz:FILE.npz, images:DIR");
       sub.add_option("--input,-i", a->input, "float32 .npy input [N, ...]");
       sub.add_option("--model,-m", a->model,
                      "the quantized model the program was compiled from (needed when parts run on the host)");
       sub.add_flag("--compare", a->compare,
                    "also run the integer reference interpreter (needs --model): bit-exactness and relative speed");
       sub.add_option("--trace", a->trace, "write a Chrome/Perfetto trace of the first image's engines");
       sub.add_option("--batch", a->batch, "images per batch (default 100)");
       sub.add_flag("--layers", a->layers, "print per-layer statistics");
       sub.add_flag("--json", a->json, "print machine-readable JSON");
       sub.footer(
           "Examples:\n"
           "  etch simulate model.npu --data fashion-mnist:test:1000\n"
           "  etch simulate model.npu --model model.int8.onnx --data fashion-mnist:test --compare\n"
           "  etch simulate model.npu --input x.npy --trace trace.json --layers");
       return [a] { return run_simulate(*a); };
     }}};

}  // namespace
}  // namespace etch::cli
