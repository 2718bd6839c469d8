// What the generated RTL is built from: the target's numbers plus the choices
// the hardware adds (SRAM word widths and banking), derived and checked once.
// A target the RTL cannot realise is refused here, before anything is
// generated, with an error naming the target file's field.
#pragma once
#include <cstdint>
#include <string>

#include "etch/npu/target.h"

namespace etch::rtl {

// One on-chip buffer as SRAM macros: `banks` single-port banks of `depth`
// words of `word_bytes` bytes. Two banks, one per half of the buffer: the
// compiler double-buffers in halves, so the DMA fills one bank while the
// array or the vector unit reads the other.
struct SramGeometry {
  std::string module;  // generated wrapper module, e.g. "etch_input_buffer"
  std::string field;   // the target file field it comes from, e.g. "buffers.input_bytes"
  int64_t bytes = 0;
  int word_bytes = 0;
  std::string word_reason;  // why a word has this width (the field it follows)
  int banks = 0;
  int64_t depth = 0;  // words per bank
  int addr_bits = 0;  // word address across all banks
  int bank_addr_bits = 0;
};

// The DMA engine's memory port and request tracking.
struct DmaGeometry {
  int beat_bytes = 0;   // dram.bytes_per_cycle: bytes per request
  int64_t latency = 0;  // dram.latency_cycles
  int len_bits = 0;     // a request's length, 0..beat_bytes
  int off_bits = 0;     // a byte offset inside the wider buffer word
  int fifo_bits = 0;    // 2^fifo_bits requests in flight: more than the latency
};

struct RtlParams {
  std::string target_name;
  int rows = 0, cols = 0, lanes = 0;
  SramGeometry input, weight, accumulator;
  DmaGeometry dma;
};

constexpr int kSramBanks = 2;
constexpr int kMaxDramBeatBytes = 1024;

// Throws InvalidInput naming the field (e.g. "buffers.input_bytes") for a
// buffer that is not a whole number of SRAM words per bank, and Unsupported
// for features the generator does not build yet (output-stationary dataflow).
// The memory port moves whole bytes: dram.bytes_per_cycle must be a whole
// number from 1 to kMaxDramBeatBytes.
RtlParams rtl_params(const npu::Target& t);

// Bits to address `count` distinct values (at least 1).
int address_bits(int64_t count);

}  // namespace etch::rtl
