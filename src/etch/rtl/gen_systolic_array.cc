// The rows x cols weight-stationary array (docs/npu-isa.md, PRELOAD/MATMUL).
// Row r is reduction index r, column c output channel c: inputs enter at the
// left and move right, partial sums start at zero at the top and move down, so
// column c's bottom delivers sum_r W[c][r] * x[r] for one pixel per cycle.
//
// Ports carry whole vectors: x is one pixel's `rows` inputs (rows >= k of the
// current MATMUL must be zero), psum one pixel's `cols` sums. Inside, row r is
// delayed r cycles (skew) and column c's result cols-1-c cycles (deskew), so a
// pixel presented at cycle t comes out at t + rows + cols - 1, the simulator's
// fill/drain (rows + m - 1) with all columns in use.
//
// PRELOAD: preload_w is one array row of `cols` weights (column c at
// [8*c +: 8]); each cycle it enters row 0 and every row's shadow weights move
// down one row, so after k cycles row r holds the row presented k-1-r cycles
// earlier. MATMUL: `swap` with a pixel makes the shadow weights active for it
// and every later pixel.
#include <string>

#include "etch/rtl/generators.h"

namespace etch::rtl {

SvFile systolic_array_sv(const RtlParams& p) {
  static const char* kTemplate = R"(${BANNER}
module etch_systolic_array #(
    parameter int ROWS = ${ROWS},
    parameter int COLS = ${COLS}
) (
    input  logic                 clk,
    input  logic                 rst_n,
    input  logic                 preload_valid,
    input  logic [COLS*8-1:0]    preload_w,
    input  logic                 x_valid,
    input  logic                 swap,
    input  logic [ROWS*8-1:0]    x,
    output logic                 out_valid,
    output logic [COLS*32-1:0]   psum
);
  localparam int LATENCY = ROWS + COLS - 1;

  // Horizontal (x, swap) buses have COLS+1 taps per row, vertical (psum,
  // shadow weights) ROWS+1 taps per column.
  logic signed [31:0] psum_bus[ROWS+1][COLS];
  /* verilator lint_off UNUSEDSIGNAL */
  // Inputs and swaps leave the last column, shadow weights the bottom row, unused.
  logic signed [7:0]  x_bus[ROWS][COLS+1];
  logic               swap_bus[ROWS][COLS+1];
  logic signed [7:0]  shadow_bus[ROWS+1][COLS];
  /* verilator lint_on UNUSEDSIGNAL */
  logic [LATENCY-1:0]          valid_pipe;


  generate
    if (LATENCY == 1) begin : g_valid1
      always_ff @(posedge clk) valid_pipe <= rst_n ? x_valid : 1'b0;
    end else begin : g_valid
      always_ff @(posedge clk) valid_pipe <= rst_n ? {valid_pipe[LATENCY-2:0], x_valid} : '0;
    end
  endgenerate
  assign out_valid = valid_pipe[LATENCY-1];

  genvar r, c;
  generate
    for (c = 0; c < COLS; c++) begin : g_top
      assign shadow_bus[0][c] = preload_w[8*c+:8];
      assign psum_bus[0][c]   = '0;
    end
    for (r = 0; r < ROWS; r++) begin : g_row
      // Skew: row r sees a pixel r cycles after row 0.
      logic [8:0] skewed;
      etch_delay #(.WIDTH(9), .DEPTH(r)) skew (
          .clk(clk),
          .d({swap, x[8*r+:8]}),
          .q(skewed)
      );
      assign swap_bus[r][0] = skewed[8];
      assign x_bus[r][0]    = skewed[7:0];
      for (c = 0; c < COLS; c++) begin : g_col
        etch_mac_pe pe (
            .clk(clk),
            .rst_n(rst_n),
            .shadow_shift(preload_valid),
            .shadow_in(shadow_bus[r][c]),
            .shadow_out(shadow_bus[r+1][c]),
            .swap_in(swap_bus[r][c]),
            .swap_out(swap_bus[r][c+1]),
            .x_in(x_bus[r][c]),
            .x_out(x_bus[r][c+1]),
            .psum_in(psum_bus[r][c]),
            .psum_out(psum_bus[r+1][c])
        );
      end
    end
    for (c = 0; c < COLS; c++) begin : g_deskew
      etch_delay #(.WIDTH(32), .DEPTH(COLS-1-c)) deskew (
          .clk(clk),
          .d(psum_bus[ROWS][c]),
          .q(psum[32*c+:32])
      );
    end
  endgenerate
endmodule
)";
  return {"etch_systolic_array",
          substitute(kTemplate, {{"BANNER", generated_banner(p.target_name, "weight-stationary systolic array")},
                                 {"ROWS", std::to_string(p.rows)},
                                 {"COLS", std::to_string(p.cols)}})};
}

}  // namespace etch::rtl
