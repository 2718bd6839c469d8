#include "etch/rtl/rtl_params.h"

#include <algorithm>

#include "etch/core/error.h"

namespace etch::rtl {

int address_bits(int64_t count) {
  int bits = 1;
  while ((int64_t{1} << bits) < count) ++bits;
  return bits;
}

namespace {

// Word widths follow the port that streams through each buffer at full rate:
// the vector unit reads and writes `lanes` int8 values of the input buffer per
// cycle, a PRELOAD shifts one array row of `cols` weights per cycle, and the
// array's bottom edge delivers `cols` int32 partial sums per cycle.
SramGeometry geometry(const std::string& module, const std::string& field, int64_t bytes, int word_bytes,
                      const std::string& word_reason) {
  SramGeometry g;
  g.module = module;
  g.field = field;
  g.bytes = bytes;
  g.word_bytes = word_bytes;
  g.word_reason = word_reason;
  g.banks = kSramBanks;
  const int64_t bank_bytes = int64_t{word_bytes} * kSramBanks;
  ETCH_REQUIRE(bytes % bank_bytes == 0, InvalidInput)
      << "target field " << field << " = " << bytes << " bytes is not a whole number of SRAM words per bank: the RTL "
      << "builds it as " << kSramBanks << " banks of " << word_bytes << "-byte words (" << word_reason
      << "), so it must be a multiple of " << bank_bytes;
  g.depth = bytes / bank_bytes;
  g.addr_bits = address_bits(g.depth * kSramBanks);
  g.bank_addr_bits = address_bits(g.depth);
  return g;
}

}  // namespace

RtlParams rtl_params(const npu::Target& t) {
  npu::validate_target(t);
  ETCH_REQUIRE(t.dataflow == npu::Dataflow::WeightStationary, Unsupported)
      << "target field array.dataflow = \"" << npu::dataflow_name(t.dataflow)
      << "\": the RTL generator builds the weight-stationary array only (\"ws\")";
  RtlParams p;
  p.target_name = t.name;
  p.rows = t.rows;
  p.cols = t.cols;
  p.lanes = t.vector_lanes;
  p.input = geometry("etch_input_buffer", "buffers.input_bytes", t.input_buffer_bytes, t.vector_lanes,
                     "vector.lanes int8 values");
  p.weight =
      geometry("etch_weight_buffer", "buffers.weight_bytes", t.weight_buffer_bytes, t.cols, "array.cols int8 weights");
  const double beat = t.dram_bytes_per_cycle;
  ETCH_REQUIRE(beat >= 1 && beat <= kMaxDramBeatBytes && beat == static_cast<double>(static_cast<int>(beat)),
               InvalidInput)
      << "target field dram.bytes_per_cycle = " << beat << ": the RTL's memory port moves whole bytes per cycle, "
      << "so it must be a whole number from 1 to " << kMaxDramBeatBytes;
  p.accumulator = geometry("etch_accumulator_buffer", "buffers.accumulator_bytes", t.accumulator_buffer_bytes,
                           4 * t.cols, "array.cols int32 partial sums");
  p.dma.beat_bytes = static_cast<int>(beat);
  p.dma.latency = t.dram_latency_cycles;
  p.dma.len_bits = address_bits(p.dma.beat_bytes + 1);
  p.dma.off_bits = address_bits(std::max(p.input.word_bytes, p.weight.word_bytes));
  p.dma.fifo_bits = address_bits(p.dma.latency + 2);  // a response can come `latency` cycles after its request
  return p;
}

}  // namespace etch::rtl
