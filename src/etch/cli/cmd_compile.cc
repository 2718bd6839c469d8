// etch compile: quantized model -> NPU program for a target. Prints where
// every node runs and, per NPU layer, the mapper's tiling with predicted
// cycles and utilization; --analyze also simulates the chosen and the naive
// plans and prints speedup, efficiency and cost-model error per layer.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "etch/cli/command.h"
#include "etch/cli/table.h"
#include "etch/compiler/compiler.h"
#include "etch/data/dataset.h"
#include "etch/eval/compile_summary.h"
#include "etch/eval/integer_graph.h"
#include "etch/eval/load_model.h"
#include "etch/eval/npu_executor.h"
#include "etch/eval/utilization.h"
#include "etch/npu/program.h"
#include "etch/onnx/importer.h"

namespace etch::cli {
namespace {

struct CompileArgs {
  std::string model, target = "edge", output, data = "fashion-mnist:test:1";
  bool naive = false, no_sparse = false, no_pack = false, no_on_chip = false, analyze = false, json = false,
       placements = false;
};

std::string pct(double v) { return fmt::format("{:.1f}%", 100.0 * v); }

void print_analysis(const eval::ModelAnalysis& a, const npu::Target& target, bool json, nlohmann::json& j) {
  std::vector<double> eff;
  double worst_err = 0;
  const double pes = double(target.rows) * double(target.cols);
  eval::UtilizationSum depthwise, dense;  // conv/gemm layers
  Table t({{"layer", Align::Left, 28},
           {"plan", Align::Left},
           {"naive plan", Align::Left},
           {"cycles", Align::Right},
           {"naive", Align::Right},
           {"speedup", Align::Right},
           {"bound", Align::Right},
           {"cycles/bound", Align::Right},
           {"util", Align::Right},
           {"model err", Align::Right}});
  for (const auto& l : a.layers) {
    const bool big = l.macs >= 1000000;
    if (big) eff.push_back(l.efficiency());
    worst_err = std::max(worst_err, std::abs(l.model_error()));
    const double util = double(l.macs) / (pes * double(std::max<int64_t>(1, l.cycles)));
    (eval::UtilizationSum::depthwise(l.kind) ? depthwise : dense).add(l.macs, l.cycles, target.rows, target.cols);
    t.add_row({l.name, l.plan + (l.sparse ? " 2:4" : ""), l.naive_plan, group_thousands(l.cycles),
               group_thousands(l.naive_cycles),
               fmt::format("{:.2f}x", double(l.naive_cycles) / std::max<int64_t>(1, l.cycles)),
               group_thousands(l.bound), big ? fmt::format("{:.3f}", l.efficiency()) : "(<1M MACs)", pct(util),
               fmt::format("{:+.1f}%", 100 * l.model_error())});
    j["analysis"]["layers"].push_back({{"name", l.name},
                                       {"kind", l.kind},
                                       {"plan", l.plan},
                                       {"naive_plan", l.naive_plan},
                                       {"macs", l.macs},
                                       {"cycles", l.cycles},
                                       {"naive_cycles", l.naive_cycles},
                                       {"predicted_cycles", l.predicted},
                                       {"bound_cycles", l.bound},
                                       {"efficiency", l.efficiency()},
                                       {"utilization", util},
                                       {"sparse", l.sparse}});
  }
  std::sort(eff.begin(), eff.end());
  const double worst = eff.empty() ? 0 : eff.back(), median = eff.empty() ? 0 : eff[eff.size() / 2];
  j["analysis"]["model_cycles"] = a.cycles;
  j["analysis"]["naive_model_cycles"] = a.naive_cycles;
  j["analysis"]["speedup"] = double(a.naive_cycles) / std::max<int64_t>(1, a.cycles);
  j["analysis"]["worst_efficiency"] = worst;
  j["analysis"]["median_efficiency"] = median;
  j["analysis"]["worst_cost_model_error"] = worst_err;
  j["analysis"]["depthwise_utilization"] = depthwise.value().value_or(0);
  j["analysis"]["dense_utilization"] = dense.value().value_or(0);
  if (json) return;
  fmt::print("\nsimulated (one image), chosen vs naive plan (largest tile that fits, single-buffered):\n{}",
             t.render());
  fmt::print("whole model: {} cycles vs {} naive = {:.2f}x speedup\n", group_thousands(a.cycles),
             group_thousands(a.naive_cycles), double(a.naive_cycles) / std::max<int64_t>(1, a.cycles));
  if (!eff.empty())
    fmt::print(
        "layers >= 1M MACs: cycles / max(fold-granular compute, DRAM bytes / bandwidth): worst {:.3f}, median {:.3f} "
        "({} layers)\n",
        worst, median, eff.size());
  fmt::print("cost model vs simulator: worst per-layer error {:.1f}%\n", 100 * worst_err);
  fmt::print("array utilization (own MACs / PE-cycles): dense {} ({} layers), depthwise {} ({} layers)\n",
             pct(dense.value().value_or(0)), dense.layers, pct(depthwise.value().value_or(0)), depthwise.layers);
}

int run_compile(const CompileArgs& a) {
  const npu::Target t = npu::resolve_target(a.target);
  const ir::Graph imported = eval::load_model(a.model);
  const ir::Graph g = eval::to_integer_graph(imported, a.model);
  compiler::CompileOptions opt;
  opt.naive = a.naive;
  opt.allow_sparse = !a.no_sparse;
  opt.pack_groups = !a.no_pack;
  opt.on_chip_activations = !a.no_on_chip;
  const compiler::CompiledModel m = compiler::compile(g, t, opt);
  const bool json = a.json;
  nlohmann::json j;
  j["model"] = a.model;
  j["target"] = t.name;
  eval::ModelAnalysis analysis;
  if (a.analyze) {
    const data::Dataset ds = data::load_dataset(a.data);
    ETCH_REQUIRE(ds.size() > 0 && g.inputs.size() == 1, InvalidInput)
        << "--analyze needs a one-input model and a non-empty --data set";
    analysis = eval::analyze_plans(g, t, {data::slice_images(ds, 0, 1)}, opt);
  }
  if (!a.output.empty()) npu::save_program(a.output, m.program);

  j.update(eval::compile_summary_json(m, t));
  int npu_nodes = 0;
  for (const auto& p : m.placements) npu_nodes += p.npu;
  const compiler::MacShare share = compiler::mac_share(m);
  Table lt({{"layer", Align::Left, 28},
            {"kind", Align::Left},
            {"MACs", Align::Right},
            {"tiling", Align::Left},
            {"pred. cycles", Align::Right},
            {"util", Align::Right},
            {"naive pred.", Align::Right}});
  int64_t total = 0;
  for (const auto& l : m.layers) {
    if (!l.has_plan) {
      lt.add_row({l.name, l.kind, "-", "vector unit", "-", "-", "-"});
      continue;
    }
    total += l.predicted_cycles;
    lt.add_row({l.name, l.kind + (l.sparse ? " 2:4" : ""), group_thousands(l.macs), l.plan.str(),
                group_thousands(l.predicted_cycles), pct(eval::predicted_utilization(l, t)),
                group_thousands(l.naive.predicted_cycles)});
  }
  if (!a.output.empty()) j["output"] = a.output;
  if (json) {
    if (a.analyze) print_analysis(analysis, t, true, j);
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  if (global_options().quiet) return 0;
  if (a.placements) {
    Table pt({{"node", Align::Left, 32}, {"op", Align::Left}, {"on", Align::Left}, {"", Align::Left, 60}});
    for (const auto& p : m.placements) pt.add_row({p.node, p.op, p.npu ? "npu" : "host", p.reason});
    fmt::print("{}", pt.render());
  }
  fmt::print("{}", lt.render());
  fmt::print(
      "target {}: {} of {} nodes on the NPU in {} segment(s) (--placements lists every node); {} instructions, "
      "{} weight bytes\n",
      t.name, npu_nodes, m.placements.size(), m.program.segments.size(), m.program.instrs.size(),
      group_thousands(static_cast<int64_t>(m.program.weight_image.size())));
  for (const auto& p : m.placements)
    if (!p.npu && !p.boundary) fmt::print("  host: {} ({}): {}\n", p.node, p.op, p.reason);
  if (share.host > 0)
    fmt::print("MACs on the host: {} of {} ({:.1f}%)\n", group_thousands(share.host),
               group_thousands(share.host + share.npu), 100 * share.host_fraction());
  fmt::print("conv/gemm predicted: {} cycles = {:.3f} ms at {} MHz\n", group_thousands(total),
             total / (t.clock_mhz * 1e3), t.clock_mhz);
  if (a.analyze) print_analysis(analysis, t, false, j);
  if (!a.output.empty()) fmt::print("wrote {}\n", a.output);
  return 0;
}

const CommandRegistrar register_compile{
    {"compile", "compile a quantized model into an NPU program for a target",
     [](CLI::App& sub) -> std::function<int()> {
       auto a = std::make_shared<CompileArgs>();
       sub.add_option("model", a->model, "quantized ONNX model (from etch quantize)")->required();
       sub.add_option("--target,-t", a->target, "preset (edge, mobile, datacenter) or target .toml (default edge)");
       sub.add_option("--output,-o", a->output, "write the program here (e.g. model.npu)");
       sub.add_flag("--naive", a->naive, "use the fixed baseline plan (largest tile, single-buffered) for every layer");
       sub.add_flag("--no-sparse", a->no_sparse, "do not use 2:4 sparsity even if the target has it");
       sub.add_flag("--no-group-packing", a->no_pack,
                    "run grouped/depthwise convolutions one group at a time instead of letting the mapper pack "
                    "several groups into one block-diagonal matrix");
       sub.add_flag("--no-on-chip-activations", a->no_on_chip,
                    "store every layer's output to DRAM, even where the next conv/gemm layer, its only reader, could "
                    "read it from the input buffer");
       sub.add_flag("--placements", a->placements, "list every node with where it runs and why");
       sub.add_flag("--analyze", a->analyze,
                    "also simulate chosen and naive plans on one image: speedup, efficiency, cost-model error");
       sub.add_option("--data", a->data, "image for --analyze (default fashion-mnist:test:1)");
       sub.add_flag("--json", a->json, "print machine-readable JSON");
       sub.footer(
           "Examples:\n"
           "  etch compile model.int8.onnx --target edge -o model.npu\n"
           "  etch compile model.int8.onnx --target mobile --analyze\n"
           "  etch compile model.int8.onnx --target my_npu.toml -o model.npu --json\n"
           "The model must be quantized (etch quantize model.onnx -o model.int8.onnx).");
       return [a] { return run_compile(*a); };
     }}};

}  // namespace
}  // namespace etch::cli
