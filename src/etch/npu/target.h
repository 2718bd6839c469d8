// The hardware contract's first half: what an NPU target is. Every number the
// compiler's cost model and the simulator use comes from a Target, which is
// either a built-in preset or a TOML file (docs/targets.md is the reference).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace etch::npu {

enum class Dataflow { WeightStationary, OutputStationary };

const char* dataflow_name(Dataflow d);  // "ws" / "os", as written in target files

// Picojoules per event. Defaults are 45 nm figures (Horowitz, ISSCC 2014); see
// docs/targets.md for the derivation.
struct EnergyTable {
  double mac_int8_pj = 0.3;     // one int8 x int8 multiply + int32 accumulate
  double sram_byte_pj = 1.25;   // one byte read from or written to on-chip SRAM
  double dram_byte_pj = 160.0;  // one byte moved to or from DRAM
  bool operator==(const EnergyTable&) const = default;
};

struct Target {
  std::string name;
  // Systolic array of int8 MACs with int32 accumulators. Any size in [1, 1024];
  // powers of two are not required.
  int rows = 0;
  int cols = 0;
  Dataflow dataflow = Dataflow::WeightStationary;
  // Total SRAM capacity of each buffer in bytes. Double buffering is the
  // compiler's business: it uses at most half of a buffer per in-flight tile.
  int64_t input_buffer_bytes = 0;
  int64_t weight_buffer_bytes = 0;
  int64_t accumulator_buffer_bytes = 0;
  // DMA: sustained bytes per cycle, plus a fixed latency per transfer.
  double dram_bytes_per_cycle = 0;
  int64_t dram_latency_cycles = 0;
  double clock_mhz = 0;
  int vector_lanes = 0;
  bool sparsity_2_4 = false;  // the array skips pruned weights of 2:4 sparse layers
  bool int4_weights = false;  // weights may be stored and fed as packed int4
  EnergyTable energy;

  // 2 ops (multiply + add) per MAC per cycle.
  double peak_tops() const { return 2.0 * rows * cols * clock_mhz * 1e6 / 1e12; }
  double dram_gb_per_s() const { return dram_bytes_per_cycle * clock_mhz * 1e6 / 1e9; }
  bool operator==(const Target&) const = default;
};

// Built-in presets, in the order `etch targets` lists them.
const std::vector<std::string>& preset_names();
bool is_preset(std::string_view name);
Target preset(std::string_view name);  // InvalidInput naming the known presets if unknown

// Throws InvalidInput naming the first field out of range. Parsing runs the same
// checks with the file and line added.
void validate_target(const Target& t);

// TOML in the layout of docs/targets.md. `label` names the source in error
// messages (a file path, or e.g. "<string>"). A top-level `preset = "edge"`
// starts from that preset and the other keys override it; without a preset
// every field is required except `name` (default: the label's file stem).
Target target_from_toml_string(std::string_view text, const std::string& label);
Target load_target_file(const std::string& path);
// Writes every field with a comment; target_from_toml_string reads it back equal.
std::string target_to_toml(const Target& t);

// A preset name, or a path to a .toml target file.
Target resolve_target(const std::string& spec);

}  // namespace etch::npu
