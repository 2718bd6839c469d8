// The DMA engine (docs/npu-isa.md, "LOAD / STORE"): the load engine's LOADs
// (DRAM -> input or weight buffer) and the store engine's STOREs (input buffer
// -> DRAM) over one memory port, with the ISA's arbitration: when both are
// waiting the LOAD goes first unless it is a background prefetch. A transfer
// is cut into requests of at most dram.bytes_per_cycle bytes that never cross
// a row or an SRAM word, one per cycle; the next transfer starts in the cycle
// after the last request of the current one, while its responses are still on
// the way, and a transfer is done when its last response has landed (a LOAD's
// last write into its buffer, a STORE's last write acknowledged).
//
// The memory port is byte-addressed: a request names an address and a length
// up to the beat; the memory answers every request, reads and writes alike, in
// request order, at least one cycle later. The engine keeps up to
// 2^FIFO_BITS requests in flight (more than dram.latency_cycles, so a memory
// of that latency never stalls it).
//
// The program validator refuses empty transfers, so rows, reps and row_bytes
// are at least 1 here.
#include <fmt/format.h>

#include <string>

#include "etch/npu/isa.h"
#include "etch/rtl/generators.h"

namespace etch::rtl {
namespace {

// The operand ports of one engine's transfers, `<engine>_<field>`, with the
// ISA's widths (npu::op_fields). A STORE has no buffer choice and no
// background bit (the validator requires both 0).
std::string transfer_ports(npu::Opcode op, const char* engine) {
  std::string ports;
  for (const npu::FieldSpec& f : npu::op_fields(op)) {
    if (op == npu::Opcode::Store && (f.field == npu::Field::buf || f.field == npu::Field::background)) continue;
    ports += fmt::format("    input  logic {:<17} {}_{},\n", fmt::format("[{}:0]", f.bits - 1), engine,
                         npu::field_name(f.field));
  }
  return ports;
}

}  // namespace

SvFile dma_sv(const RtlParams& p) {
  static const char* kTemplate = R"(${BANNER}
module etch_dma #(
    parameter int BEAT = ${BEAT},  // bytes per request (dram.bytes_per_cycle)
    parameter int LEN_BITS = ${LEN_BITS},  // holds 0..BEAT
    parameter int IN_WORD = ${IN_WORD},  // input buffer word, bytes
    parameter int IN_ADDR = ${IN_ADDR},  // input buffer word address bits
    parameter int W_WORD = ${W_WORD},  // weight buffer word, bytes
    parameter int W_ADDR = ${W_ADDR},  // weight buffer word address bits
    parameter int OFF_BITS = ${OFF_BITS},  // a byte offset inside the wider word
    parameter int FIFO_BITS = ${FIFO_BITS}  // 2^FIFO_BITS requests in flight
) (
    input  logic                   clk,
    input  logic                   rst_n,
    // LOAD (load engine): operands as decoded
    input  logic                   load_valid,
${LOAD_PORTS}    output logic                   load_accept,
    output logic                   load_done,
    // STORE (store engine): input buffer -> DRAM
    input  logic                   store_valid,
${STORE_PORTS}    output logic                   store_accept,
    output logic                   store_done,
    // the one memory port: a request per cycle, responses in request order
    output logic                   mem_req_valid,
    output logic                   mem_req_write,
    output logic [39:0]            mem_req_addr,
    output logic [LEN_BITS-1:0]    mem_req_len,
    output logic [BEAT*8-1:0]      mem_req_wdata,
    input  logic                   mem_req_ready,
    input  logic                   mem_resp_valid,
    input  logic [BEAT*8-1:0]      mem_resp_rdata,
    // port A of the input buffer
    output logic                   in_en,
    output logic                   in_we,
    output logic [IN_WORD-1:0]     in_wstrb,
    output logic [IN_ADDR-1:0]     in_addr,
    output logic [IN_WORD*8-1:0]   in_wdata,
    input  logic [IN_WORD*8-1:0]   in_rdata,
    // port A of the weight buffer (written only)
    output logic                   w_en,
    output logic                   w_we,
    output logic [W_WORD-1:0]      w_wstrb,
    output logic [W_ADDR-1:0]      w_addr,
    output logic [W_WORD*8-1:0]    w_wdata
);
  localparam int DEPTH = 1 << FIFO_BITS;
  localparam int WA = IN_ADDR > W_ADDR ? IN_ADDR : W_ADDR;
  localparam logic [31:0] BEAT32 = 32'(BEAT);
  localparam logic [31:0] IN_WORD32 = 32'(IN_WORD);
  localparam logic [31:0] W_WORD32 = 32'(W_WORD);

  // ---- the command being cut into requests ----
  logic        busy, c_store, c_buf;
  logic [39:0] c_dram_stride, c_dram_rep_stride, row_dram, rep_dram;
  logic [31:0] c_sram_stride, c_sram_rep_stride, row_sram, rep_sram, c_row_bytes, in_row;
  logic [19:0] c_rows, c_reps, row_i, rep_i;

  logic [31:0] sram_at, off32, room, left, len32;
  logic [39:0] dram_at;
  logic        row_end, cmd_end;
  always_comb begin
    sram_at = row_sram + in_row;
    dram_at = row_dram + 40'(in_row);
    // A request stays inside one word of its buffer: one SRAM access each.
    off32 = (c_store || !c_buf) ? sram_at % IN_WORD32 : sram_at % W_WORD32;
    room = ((c_store || !c_buf) ? IN_WORD32 : W_WORD32) - off32;
    left = c_row_bytes - in_row;
    len32 = BEAT32;
    if (left < len32) len32 = left;
    if (room < len32) len32 = room;
    row_end = len32 == left;
    cmd_end = row_end && row_i == c_rows - 20'd1 && rep_i == c_reps - 20'd1;
  end

  // ---- in-flight requests, in order: what to do with each response ----
  logic                f_store[DEPTH], f_buf[DEPTH], f_last[DEPTH];
  logic [WA-1:0]       f_word[DEPTH];
  logic [OFF_BITS-1:0] f_off[DEPTH];
  logic [LEN_BITS-1:0] f_len[DEPTH];
  logic [FIFO_BITS:0]  f_count;
  logic [FIFO_BITS-1:0] f_rd, f_wr;

  // ---- a STORE request whose word is being read (sv_fresh) or held ----
  logic                sv_valid, sv_fresh, sv_last;
  logic [39:0]         sv_dram;
  logic [OFF_BITS-1:0] sv_off;
  logic [LEN_BITS-1:0] sv_len;
  logic [IN_WORD*8-1:0] sv_hold, sv_word;
  /* verilator lint_off UNUSEDSIGNAL */
  // Shifted words keep room for a whole beat; only one word or beat is used.
  logic [(IN_WORD+BEAT)*8-1:0] sv_wide;
  assign sv_word = sv_fresh ? in_rdata : sv_hold;
  assign sv_wide = {{(BEAT*8){1'b0}}, sv_word} >> (8 * sv_off);

  // ---- responses ----
  logic                resp_load, resp_in;
  logic [(IN_WORD+BEAT)*8-1:0] in_wide;
  logic [(W_WORD+BEAT)*8-1:0]  w_wide;
  logic [IN_WORD+BEAT-1:0]     in_strb_wide;
  logic [W_WORD+BEAT-1:0]      w_strb_wide;
  /* verilator lint_on UNUSEDSIGNAL */
  // The oldest request in flight (continuous assignments: iverilog's
  // always_comb does not wake on a change of an array element).
  logic                h_store, h_buf, h_last;
  logic [WA-1:0]       h_word;
  logic [OFF_BITS-1:0] h_off;
  logic [LEN_BITS-1:0] h_len;
  assign h_store = f_store[f_rd];
  assign h_buf = f_buf[f_rd];
  assign h_last = f_last[f_rd];
  assign h_word = f_word[f_rd];
  assign h_off = f_off[f_rd];
  assign h_len = f_len[f_rd];
  always_comb begin
    resp_load = mem_resp_valid && !h_store;
    resp_in = resp_load && !h_buf;
    in_wide = {{(IN_WORD*8){1'b0}}, mem_resp_rdata} << (8 * h_off);
    w_wide = {{(W_WORD*8){1'b0}}, mem_resp_rdata} << (8 * h_off);
    in_strb_wide = (((IN_WORD+BEAT)'(1) << h_len) - 1'b1) << h_off;
    w_strb_wide = (((W_WORD+BEAT)'(1) << h_len) - 1'b1) << h_off;
    load_done = resp_load && h_last;
    store_done = mem_resp_valid && h_store && h_last;
  end

  // ---- issuing ----
  logic pick_load, take, load_go, store_go, mem_go, sv_moves, issue;
  always_comb begin
    pick_load = load_valid && (!load_background || !store_valid);
    mem_req_valid = sv_valid || (busy && !c_store);
    mem_req_write = sv_valid;
    mem_go = mem_req_valid && mem_req_ready && f_count != (FIFO_BITS+1)'(DEPTH);
    load_go = mem_go && !sv_valid;
    sv_moves = !sv_valid || mem_go;
    // A STORE reads its word one cycle before its request; a LOAD's
    // response writing the input buffer has port A first.
    store_go = busy && c_store && sv_moves && !resp_in;
    issue = load_go || store_go;
    // The next command is taken in the cycle the last request of the
    // current one issues: no idle cycle between transfers.
    take = (!busy || (issue && cmd_end)) && (load_valid || store_valid);
    load_accept = take && pick_load;
    store_accept = take && !pick_load;
    mem_req_addr = sv_valid ? sv_dram : dram_at;
    mem_req_len = sv_valid ? sv_len : LEN_BITS'(len32);
    mem_req_wdata = sv_wide[BEAT*8-1:0];

    in_en = resp_in || store_go;
    in_we = resp_in;
    in_addr = resp_in ? IN_ADDR'(h_word) : IN_ADDR'(sram_at / IN_WORD32);
    in_wstrb = in_strb_wide[IN_WORD-1:0];
    in_wdata = in_wide[IN_WORD*8-1:0];
    w_en = resp_load && h_buf;
    w_we = w_en;
    w_addr = W_ADDR'(h_word);
    w_wstrb = w_strb_wide[W_WORD-1:0];
    w_wdata = w_wide[W_WORD*8-1:0];
  end


  always_ff @(posedge clk or negedge rst_n) begin
    if (!rst_n) begin
      busy <= 1'b0;
      sv_valid <= 1'b0;
      sv_fresh <= 1'b0;
      f_count <= '0;
      f_rd <= '0;
      f_wr <= '0;
    end else begin
      if (take) begin
        busy <= 1'b1;
        c_store <= !pick_load;
        c_buf <= pick_load && load_buf;
        row_dram <= pick_load ? load_dram : store_dram;
        rep_dram <= pick_load ? load_dram : store_dram;
        row_sram <= pick_load ? load_sram : store_sram;
        rep_sram <= pick_load ? load_sram : store_sram;
        c_rows <= pick_load ? load_rows : store_rows;
        c_reps <= pick_load ? load_reps : store_reps;
        c_row_bytes <= pick_load ? load_row_bytes : store_row_bytes;
        c_dram_stride <= {8'd0, pick_load ? load_dram_stride : store_dram_stride};
        c_sram_stride <= pick_load ? load_sram_stride : store_sram_stride;
        c_dram_rep_stride <= {8'd0, pick_load ? load_dram_rep_stride : store_dram_rep_stride};
        c_sram_rep_stride <= pick_load ? load_sram_rep_stride : store_sram_rep_stride;
        in_row <= '0;
        row_i <= '0;
        rep_i <= '0;
      end else if (issue) begin
        if (!row_end) begin
          in_row <= in_row + len32;
        end else begin
          in_row <= '0;
          if (row_i != c_rows - 20'd1) begin
            row_i <= row_i + 20'd1;
            row_dram <= row_dram + c_dram_stride;
            row_sram <= row_sram + c_sram_stride;
          end else begin
            row_i <= '0;
            rep_i <= rep_i + 20'd1;
            rep_dram <= rep_dram + c_dram_rep_stride;
            rep_sram <= rep_sram + c_sram_rep_stride;
            row_dram <= rep_dram + c_dram_rep_stride;
            row_sram <= rep_sram + c_sram_rep_stride;
          end
        end
        if (cmd_end) busy <= 1'b0;
      end

      // The STORE stage: filled by store_go, emptied by its request.
      if (store_go) begin
        sv_valid <= 1'b1;
        sv_fresh <= 1'b1;
        sv_dram <= dram_at;
        sv_off <= OFF_BITS'(off32);
        sv_len <= LEN_BITS'(len32);
        sv_last <= cmd_end;
      end else if (mem_go && sv_valid) begin
        sv_valid <= 1'b0;
      end else if (sv_valid) begin
        sv_hold <= sv_word;
        sv_fresh <= 1'b0;
      end

      if (mem_go) begin
        f_store[f_wr] <= sv_valid;
        f_buf[f_wr] <= !sv_valid && c_buf;
        f_last[f_wr] <= sv_valid ? sv_last : cmd_end;
        f_word[f_wr] <= WA'(c_buf ? sram_at / W_WORD32 : sram_at / IN_WORD32);
        f_off[f_wr] <= OFF_BITS'(off32);
        f_len[f_wr] <= sv_valid ? sv_len : LEN_BITS'(len32);
        f_wr <= f_wr + 1'b1;
      end
      if (mem_resp_valid) f_rd <= f_rd + 1'b1;
      f_count <= f_count + (FIFO_BITS+1)'(mem_go) - (FIFO_BITS+1)'(mem_resp_valid);
    end
  end
endmodule
)";
  const DmaGeometry& g = p.dma;
  const std::string what = "DMA: " + std::to_string(g.beat_bytes) + " bytes per cycle (dram.bytes_per_cycle), " +
                           std::to_string(g.latency) + " cycles latency (dram.latency_cycles)";
  return {"etch_dma", substitute(kTemplate, {{"BANNER", generated_banner(p.target_name, what)},
                                             {"BEAT", std::to_string(g.beat_bytes)},
                                             {"LEN_BITS", std::to_string(g.len_bits)},
                                             {"IN_WORD", std::to_string(p.input.word_bytes)},
                                             {"IN_ADDR", std::to_string(p.input.addr_bits)},
                                             {"W_WORD", std::to_string(p.weight.word_bytes)},
                                             {"W_ADDR", std::to_string(p.weight.addr_bits)},
                                             {"OFF_BITS", std::to_string(g.off_bits)},
                                             {"FIFO_BITS", std::to_string(g.fifo_bits)},
                                             {"LOAD_PORTS", transfer_ports(npu::Opcode::Load, "load")},
                                             {"STORE_PORTS", transfer_ports(npu::Opcode::Store, "store")}})};
}

}  // namespace etch::rtl
