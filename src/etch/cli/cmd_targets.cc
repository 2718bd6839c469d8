// etch targets: list the built-in NPU presets; `etch targets show X` prints a
// preset or a validated target file as TOML to copy and edit.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "etch/cli/command.h"
#include "etch/cli/table.h"
#include "etch/npu/target.h"

namespace etch::cli {
namespace {

struct TargetsArgs {
  CLI::App* show = nullptr;
  std::string spec;
  bool json = false;
};

std::string bytes_str(int64_t b) {
  if (b >= (1 << 20) && b % (1 << 20) == 0) return fmt::format("{} MiB", b >> 20);
  if (b >= (1 << 10) && b % (1 << 10) == 0) return fmt::format("{} KiB", b >> 10);
  return fmt::format("{} B", b);
}

std::string features_str(const npu::Target& t) {
  std::string s;
  if (t.sparsity_2_4) s += "2:4";
  if (t.int4_weights) s += std::string(s.empty() ? "" : ",") + "int4";
  return s.empty() ? "-" : s;
}

nlohmann::json target_json(const npu::Target& t) {
  return {{"name", t.name},
          {"rows", t.rows},
          {"cols", t.cols},
          {"dataflow", npu::dataflow_name(t.dataflow)},
          {"input_buffer_bytes", t.input_buffer_bytes},
          {"weight_buffer_bytes", t.weight_buffer_bytes},
          {"accumulator_buffer_bytes", t.accumulator_buffer_bytes},
          {"dram_bytes_per_cycle", t.dram_bytes_per_cycle},
          {"dram_latency_cycles", t.dram_latency_cycles},
          {"clock_mhz", t.clock_mhz},
          {"vector_lanes", t.vector_lanes},
          {"sparsity_2_4", t.sparsity_2_4},
          {"int4_weights", t.int4_weights},
          {"energy",
           {{"mac_int8_pj", t.energy.mac_int8_pj},
            {"sram_byte_pj", t.energy.sram_byte_pj},
            {"dram_byte_pj", t.energy.dram_byte_pj}}},
          {"peak_tops", t.peak_tops()}};
}

int run_list(bool json) {
  if (json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& n : npu::preset_names()) j.push_back(target_json(npu::preset(n)));
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  Table t({{"name", Align::Left},
           {"array", Align::Right},
           {"dataflow", Align::Left},
           {"input buf", Align::Right},
           {"weight buf", Align::Right},
           {"acc buf", Align::Right},
           {"DRAM B/cycle", Align::Right},
           {"DRAM GB/s", Align::Right},
           {"clock MHz", Align::Right},
           {"lanes", Align::Right},
           {"peak TOPS", Align::Right},
           {"features", Align::Left}});
  for (const auto& n : npu::preset_names()) {
    const npu::Target p = npu::preset(n);
    t.add_row({p.name, fmt::format("{}x{}", p.rows, p.cols), npu::dataflow_name(p.dataflow),
               bytes_str(p.input_buffer_bytes), bytes_str(p.weight_buffer_bytes), bytes_str(p.accumulator_buffer_bytes),
               fmt::format("{}", p.dram_bytes_per_cycle), fmt::format("{:.1f}", p.dram_gb_per_s()),
               fmt::format("{}", p.clock_mhz), std::to_string(p.vector_lanes), fmt::format("{:.3g}", p.peak_tops()),
               features_str(p)});
  }
  fmt::print("{}", t.render());
  fmt::print("peak TOPS = 2 x rows x cols x clock. Print one as TOML to edit: etch targets show edge > my.toml\n");
  return 0;
}

int run_show(const TargetsArgs& a) {
  const npu::Target t = npu::resolve_target(a.spec);
  if (a.json)
    fmt::print("{}\n", target_json(t).dump(2));
  else
    fmt::print("{}", npu::target_to_toml(t));
  return 0;
}

const CommandRegistrar register_targets{
    {"targets", "list the built-in NPU targets, or print one (or a target file) as TOML",
     [](CLI::App& sub) -> std::function<int()> {
       auto a = std::make_shared<TargetsArgs>();
       sub.add_flag("--json", a->json, "print machine-readable JSON instead of a table");
       a->show = sub.add_subcommand("show", "print a preset, or validate and print a target .toml file, as TOML");
       a->show->add_option("target", a->spec, "preset name (edge, mobile, datacenter) or path to a .toml file")
           ->required();
       a->show->add_flag("--json", a->json, "print JSON instead of TOML");
       a->show->footer(
           "Examples:\n  etch targets show edge > my_target.toml   # copy a preset, then edit it\n"
           "  etch targets show my_target.toml          # check a file: errors name the field and line\n");
       sub.footer(
           "Examples:\n  etch targets                 # table of presets\n"
           "  etch targets show mobile     # the 'mobile' preset as TOML\n"
           "  etch targets show my.toml    # validate a target file\n"
           "A target file may start from a preset and override some fields, e.g.\n"
           "  preset = \"edge\"\n  [array]\n  rows = 32\n"
           "Field reference: docs/targets.md.\n");
       return [a] {
         const bool json = a->json;
         if (a->show->parsed()) {
           TargetsArgs s = *a;
           s.json = json;
           return run_show(s);
         }
         return run_list(json);
       };
     }}};

}  // namespace
}  // namespace etch::cli
