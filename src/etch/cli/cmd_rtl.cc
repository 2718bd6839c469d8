// etch rtl: write the SystemVerilog of a target's NPU (src/etch/rtl/) into a
// folder, one module per file, plus manifest.json. A target the RTL cannot
// realise is refused before anything is written.
#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "etch/cli/command.h"
#include "etch/npu/target.h"
#include "etch/rtl/generate.h"

namespace etch::cli {
namespace {

struct RtlArgs {
  std::string target = "edge";
  std::string out;
  bool json = false;
};

int run_rtl(const RtlArgs& a) {
  const npu::Target t = npu::resolve_target(a.target);
  const rtl::RtlDesign d = rtl::generate_rtl(t);  // throws before any output exists
  const std::vector<std::string> written = rtl::write_rtl(d, a.out);
  if (a.json) {
    fmt::print("{}\n", nlohmann::json{{"target", t.name}, {"folder", a.out}, {"files", written}}.dump(2));
    return 0;
  }
  const rtl::RtlParams& p = d.params;
  fmt::print("etch rtl: target {} -> {} ({} files)\n", t.name, a.out, written.size());
  fmt::print("  array {}x{} weight-stationary int8 MACs, int32 accumulators; vector unit {} lanes\n", p.rows, p.cols,
             p.lanes);
  for (const rtl::SramGeometry* g : {&p.input, &p.weight, &p.accumulator})
    fmt::print("  {}: {} banks x {} words x {} B ({})\n", g->module, g->banks, g->depth, g->word_bytes, g->field);
  fmt::print("  not built yet: see \"not_built\" in {}\n", written.back());
  return 0;
}

const CommandRegistrar register_rtl{
    {"rtl", "write the SystemVerilog of a target's NPU (array, requantizer lanes, SRAM banks)",
     [](CLI::App& sub) -> std::function<int()> {
       auto a = std::make_shared<RtlArgs>();
       sub.add_option("--target", a->target, "preset name (edge, mobile, datacenter) or path to a .toml file")
           ->capture_default_str();
       sub.add_option("-o,--out", a->out, "output folder (created if missing)")->required();
       sub.add_flag("--json", a->json, "print the written files as JSON");
       sub.footer(
           "Examples:\n  etch rtl --target edge -o rtl/edge\n"
           "  verilator --lint-only -Wall rtl/edge/*.sv --top-module etch_systolic_array\n"
           "What is generated and what is not built yet: docs/rtl.md.\n");
       return [a] { return run_rtl(*a); };
     }}};

}  // namespace
}  // namespace etch::cli
