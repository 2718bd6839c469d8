// The vector unit's lookup table (LUT, and REQUANT's `table` bit;
// docs/npu-isa.md): 256 int8 entries held in registers, `lanes` lookups
// y = table[x + 128] per cycle. The table is written from weight-buffer words
// as they are read: byte j of a word goes to entry `load_index + j` (modulo
// 256) where `load_strb[j]` is set, so a table at any byte address loads in
// ceil(256 / word) + 1 words, the bytes outside it masked off. A lookup uses
// the table as it stands before the cycle's write, and its result is
// registered.
#include <string>

#include "etch/rtl/generators.h"

namespace etch::rtl {

SvFile lut_sv(const RtlParams& p) {
  static const char* kTemplate = R"(${BANNER}
module etch_lut #(
    parameter int LANES = ${LANES},
    parameter int LOAD_BYTES = ${LOAD_BYTES}
) (
    input  logic                    clk,
    input  logic                    rst_n,
    input  logic                    load_en,
    input  logic [7:0]              load_index,  // the entry byte 0 of load_data goes to
    input  logic [LOAD_BYTES-1:0]   load_strb,
    input  logic [LOAD_BYTES*8-1:0] load_data,
    input  logic                    in_valid,
    input  logic [LANES*8-1:0]      x,           // lane i at [8*i +: 8]
    output logic                    out_valid,
    output logic [LANES*8-1:0]      y
);
  logic [7:0] table_q[256];

  // Per entry, the word byte that lands on it: offset (entry - load_index)
  // modulo 256, plus a multiple of 256 in words wider than the table.
  genvar e;
  generate
    for (e = 0; e < 256; e++) begin : g_entry
      logic [7:0] offset, value;
      logic       hit;
      assign offset = 8'(e) - load_index;
      always_comb begin
        hit = 1'b0;
        value = 8'd0;
        for (int k = 0; k * 256 < LOAD_BYTES; k++)
          if (32'(offset) + 256 * k < LOAD_BYTES && load_strb[32'(offset)+256*k]) begin
            hit = 1'b1;
            value = load_data[8*(32'(offset)+256*k)+:8];
          end
      end
      always_ff @(posedge clk) begin
        if (load_en && hit) table_q[e] <= value;
      end
    end
  endgenerate

  always_ff @(posedge clk) begin
    if (!rst_n) out_valid <= 1'b0;
    else out_valid <= in_valid;
    // x + 128 as an index is x with its sign bit flipped.
    for (int i = 0; i < LANES; i++) y[8*i+:8] <= table_q[{~x[8*i+7], x[8*i+:7]}];
  end
endmodule
)";
  return {"etch_lut", substitute(kTemplate, {{"BANNER", generated_banner(p.target_name, "vector-unit lookup table")},
                                             {"LANES", std::to_string(p.lanes)},
                                             {"LOAD_BYTES", std::to_string(p.weight.word_bytes)}})};
}

}  // namespace etch::rtl
