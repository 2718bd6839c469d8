// The built-in targets. docs/targets.md explains every number; keep the two in
// step.
#include <fmt/format.h>

#include "etch/core/error.h"
#include "etch/npu/target.h"

namespace etch::npu {
namespace {

constexpr int64_t KiB = 1024;
constexpr int64_t MiB = 1024 * KiB;

Target make_edge() {
  Target t;
  t.name = "edge";
  t.rows = 16;
  t.cols = 16;
  t.input_buffer_bytes = 32 * KiB;
  t.weight_buffer_bytes = 32 * KiB;
  t.accumulator_buffer_bytes = 16 * KiB;  // 4096 int32 partial sums = 16 tiles of 16x16
  t.dram_bytes_per_cycle = 8;             // 4 GB/s at 500 MHz: one LPDDR4 x16 channel
  t.dram_latency_cycles = 50;             // ~100 ns per transfer
  t.clock_mhz = 500;
  t.vector_lanes = 16;
  t.int4_weights = true;  // weights dominate DRAM traffic on small parts
  return t;
}

Target make_mobile() {
  Target t;
  t.name = "mobile";
  t.rows = 32;
  t.cols = 32;
  t.input_buffer_bytes = 256 * KiB;
  t.weight_buffer_bytes = 256 * KiB;
  t.accumulator_buffer_bytes = 128 * KiB;
  t.dram_bytes_per_cycle = 32;  // 32 GB/s at 1 GHz: a phone's LPDDR5
  t.dram_latency_cycles = 100;  // ~100 ns
  t.clock_mhz = 1000;
  t.vector_lanes = 32;
  t.sparsity_2_4 = true;
  return t;
}

Target make_datacenter() {
  Target t;
  t.name = "datacenter";
  t.rows = 256;
  t.cols = 256;
  t.input_buffer_bytes = 24 * MiB;       // TPUv1 unified buffer
  t.weight_buffer_bytes = 256 * KiB;     // TPUv1 weight FIFO: four 64 KiB tiles
  t.accumulator_buffer_bytes = 4 * MiB;  // TPUv1 accumulators (4096 rows x 256 x int32)
  t.dram_bytes_per_cycle = 43;           // ~30 GB/s at 700 MHz (TPUv1's DDR3 weight memory)
  t.dram_latency_cycles = 70;            // ~100 ns
  t.clock_mhz = 700;
  t.vector_lanes = 256;
  return t;
}

}  // namespace

const std::vector<std::string>& preset_names() {
  static const std::vector<std::string> names = {"edge", "mobile", "datacenter"};
  return names;
}

bool is_preset(std::string_view name) {
  for (const auto& n : preset_names())
    if (n == name) return true;
  return false;
}

Target preset(std::string_view name) {
  if (name == "edge") return make_edge();
  if (name == "mobile") return make_mobile();
  if (name == "datacenter") return make_datacenter();
  throw Error(ErrorKind::InvalidInput,
              fmt::format("unknown target preset '{}' (known: {})", name, fmt::join(preset_names(), ", ")));
}

}  // namespace etch::npu
