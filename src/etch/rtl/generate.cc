#include "etch/rtl/generate.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "etch/core/atomic_file.h"
#include "etch/core/error.h"
#include "etch/rtl/generators.h"

namespace etch::rtl {
namespace {

nlohmann::json sram_json(const SramGeometry& g) {
  return {{"module", g.module},
          {"field", g.field},
          {"bytes", g.bytes},
          {"word_bytes", g.word_bytes},
          {"word_width_from", g.word_reason},
          {"banks", g.banks},
          {"words_per_bank", g.depth}};
}

// The parts of the NPU the generator does not build yet, named by what the
// target or the ISA asks for, so a reader of the manifest knows what the
// files are not.
std::vector<std::string> not_built(const npu::Target& t) {
  std::vector<std::string> v = {
      "top level: load/compute/store instruction queues with dependency tokens (the instruction decoder, the token "
      "queues and the DMA engine are built)",
      "vector unit: COPY, operand reads, lanes beyond one for ADD, MUL and POOL, REQUANT's table pass (REQUANT lanes, "
      "the lookup table and one lane each of ADD, MUL and POOL are built)",
      "MATMUL address generation (implicit im2col) and accumulate into the accumulator buffer"};
  if (t.sparsity_2_4) v.push_back("features.sparsity_2_4: the array runs dense weights only");
  if (t.int4_weights) v.push_back("features.int4_weights: int4 unpacking on PRELOAD");
  return v;
}

}  // namespace

RtlDesign generate_rtl(const npu::Target& t) {
  RtlDesign d;
  d.params = rtl_params(t);
  const RtlParams& p = d.params;
  d.files = {mbqm_sv(p),
             output_stage_sv(p),
             requantizer_sv(p),
             vector_requant_sv(p),
             add_lane_sv(p),
             mul_lane_sv(p),
             pool_lane_sv(p),
             lut_sv(p),
             delay_sv(p),
             mac_pe_sv(p),
             systolic_array_sv(p),
             instr_decoder_sv(p),
             token_queues_sv(p),
             sram_bank_sv(p),
             sram_buffer_sv(p, p.input),
             sram_buffer_sv(p, p.weight),
             sram_buffer_sv(p, p.accumulator),
             dma_sv(p)};
  nlohmann::json files = nlohmann::json::array();
  for (const SvFile& f : d.files) files.push_back(f.file_name());
  const nlohmann::json m = {
      {"format", "etch-rtl-manifest"},
      {"version", 1},
      {"target", npu::target_to_toml(t)},
      {"target_name", t.name},
      {"array", {{"rows", p.rows}, {"cols", p.cols}, {"dataflow", npu::dataflow_name(t.dataflow)}}},
      {"vector_lanes", p.lanes},
      {"dram", {{"beat_bytes", p.dma.beat_bytes}, {"latency_cycles", p.dma.latency}}},
      {"sram", {sram_json(p.input), sram_json(p.weight), sram_json(p.accumulator)}},
      {"files", files},
      {"not_built", not_built(t)}};
  d.manifest = m.dump(2) + "\n";
  return d;
}

std::vector<std::string> write_rtl(const RtlDesign& d, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  ETCH_REQUIRE(!ec && std::filesystem::is_directory(dir), InvalidInput)
      << "output folder '" << dir << "' cannot be created: " << ec.message();
  std::vector<std::string> written;
  for (const SvFile& f : d.files) {
    written.push_back((std::filesystem::path(dir) / f.file_name()).string());
    write_file_atomic(written.back(), f.text);
  }
  written.push_back((std::filesystem::path(dir) / "manifest.json").string());
  write_file_atomic(written.back(), d.manifest);
  return written;
}

}  // namespace etch::rtl
