// On-chip buffers as SRAM: a single-port bank (synchronous read, byte-enable
// write, the shape memory compilers provide) and, per buffer, a wrapper of two
// banks (one per half of the buffer, rtl_params.h) with two ports: port A for
// the DMA and port B for the array or vector unit. Each cycle a bank serves
// the port whose word address falls in it; when both ports address the same
// bank, port A wins and `b_conflict` tells port B to retry (the compiler's
// double buffering keeps DMA and compute in different halves).
#include <string>

#include "etch/rtl/generators.h"

namespace etch::rtl {

SvFile sram_bank_sv(const RtlParams& p) {
  static const char* kTemplate = R"(${BANNER}
module etch_sram_bank #(
    parameter int WORD_BYTES = 16,
    parameter int DEPTH = 1024,
    parameter int ADDR_BITS = 10
) (
    input  logic                    clk,
    input  logic                    en,
    input  logic                    we,
    input  logic [WORD_BYTES-1:0]   wstrb,
    input  logic [ADDR_BITS-1:0]    addr,
    input  logic [WORD_BYTES*8-1:0] wdata,
    output logic [WORD_BYTES*8-1:0] rdata
);
  // One memory per byte lane, so a byte-enable write is a plain write to
  // the lanes it enables (how SRAM compilers build write masks).
  genvar b;
  generate
    for (b = 0; b < WORD_BYTES; b++) begin : g_lane
      logic [7:0] mem[DEPTH];
      always_ff @(posedge clk) begin
        if (en) begin
          if (we && wstrb[b]) mem[addr] <= wdata[8*b+:8];
          rdata[8*b+:8] <= mem[addr];  // read-before-write: a write returns the old byte
        end
      end
    end
  endgenerate
endmodule
)";
  return {"etch_sram_bank", substitute(kTemplate, {{"BANNER", generated_banner(p.target_name, "SRAM bank")}})};
}

SvFile sram_buffer_sv(const RtlParams& p, const SramGeometry& g) {
  static const char* kTemplate = R"(${BANNER}
module ${MODULE} #(
    parameter int WORD_BYTES = ${WORD_BYTES},
    parameter int DEPTH = ${DEPTH},  // words per bank
    parameter int ADDR_BITS = ${ADDR_BITS},
    parameter int BANK_ADDR_BITS = ${BANK_ADDR_BITS}
) (
    input  logic                    clk,
    // port A (DMA)
    input  logic                    a_en,
    input  logic                    a_we,
    input  logic [WORD_BYTES-1:0]   a_wstrb,
    input  logic [ADDR_BITS-1:0]    a_addr,
    input  logic [WORD_BYTES*8-1:0] a_wdata,
    output logic [WORD_BYTES*8-1:0] a_rdata,
    // port B (array / vector unit)
    input  logic                    b_en,
    input  logic                    b_we,
    input  logic [WORD_BYTES-1:0]   b_wstrb,
    input  logic [ADDR_BITS-1:0]    b_addr,
    input  logic [WORD_BYTES*8-1:0] b_wdata,
    output logic [WORD_BYTES*8-1:0] b_rdata,
    output logic                    b_conflict
);
  localparam logic [ADDR_BITS-1:0] HALF = ADDR_BITS'(DEPTH);

  logic                    a_bank, b_bank, a_bank_q, b_bank_q;
  logic [ADDR_BITS-1:0]    a_row, b_row;
  logic [1:0]              bank_en, bank_we, bank_from_a;
  logic [WORD_BYTES-1:0]   bank_wstrb[2];
  logic [ADDR_BITS-1:0]    bank_addr[2];
  logic [WORD_BYTES*8-1:0] bank_wdata[2];
  logic [WORD_BYTES*8-1:0] bank_rdata[2];

  always_comb begin
    a_bank = a_addr >= HALF;
    b_bank = b_addr >= HALF;
    a_row  = a_bank ? a_addr - HALF : a_addr;
    b_row  = b_bank ? b_addr - HALF : b_addr;
    b_conflict = a_en && b_en && a_bank == b_bank;
    for (int k = 0; k < 2; k++) begin
      bank_from_a[k] = a_en && a_bank == k[0];
      bank_en[k]     = bank_from_a[k] || (b_en && b_bank == k[0]);
      bank_we[k]     = bank_from_a[k] ? a_we : b_we;
      bank_wstrb[k]  = bank_from_a[k] ? a_wstrb : b_wstrb;
      bank_addr[k]   = bank_from_a[k] ? a_row : b_row;
      bank_wdata[k]  = bank_from_a[k] ? a_wdata : b_wdata;
    end
  end

  always_ff @(posedge clk) begin
    if (a_en) a_bank_q <= a_bank;
    if (b_en) b_bank_q <= b_bank;
  end
  assign a_rdata = bank_rdata[a_bank_q];
  assign b_rdata = bank_rdata[b_bank_q];

  genvar k;
  generate
    for (k = 0; k < 2; k++) begin : g_bank
      /* verilator lint_off UNUSEDSIGNAL */
      // The bank's row address is one bit narrower than the buffer's word address.
      logic [ADDR_BITS-1:0] row;
      /* verilator lint_on UNUSEDSIGNAL */
      assign row = bank_addr[k];
      etch_sram_bank #(.WORD_BYTES(WORD_BYTES), .DEPTH(DEPTH), .ADDR_BITS(BANK_ADDR_BITS)) bank (
          .clk(clk),
          .en(bank_en[k]),
          .we(bank_we[k]),
          .wstrb(bank_wstrb[k]),
          .addr(row[BANK_ADDR_BITS-1:0]),
          .wdata(bank_wdata[k]),
          .rdata(bank_rdata[k])
      );
    end
  endgenerate
endmodule
)";
  const std::string what = g.field + " = " + std::to_string(g.bytes) + " bytes: " + std::to_string(g.banks) +
                           " banks x " + std::to_string(g.depth) + " words x " + std::to_string(g.word_bytes) +
                           " bytes";
  return {g.module, substitute(kTemplate, {{"BANNER", generated_banner(p.target_name, what)},
                                           {"MODULE", g.module},
                                           {"WORD_BYTES", std::to_string(g.word_bytes)},
                                           {"DEPTH", std::to_string(g.depth)},
                                           {"ADDR_BITS", std::to_string(g.addr_bits)},
                                           {"BANK_ADDR_BITS", std::to_string(g.bank_addr_bits)}})};
}

}  // namespace etch::rtl
