// One processing element of the weight-stationary array: int8 input x int8
// weight + int32 partial sum. It holds two weights: the shadow register a
// PRELOAD shifts in from above (the column's weights move down one row per
// cycle) and the active one the products use. The swap travels with the data:
// a MATMUL's first pixel carries `swap_in`, which makes this PE take its
// shadow weight exactly when that pixel reaches it, so pixels of the previous
// MATMUL still in flight further right or down keep their own weights and
// back-to-back MATMULs pipeline.
#include "etch/rtl/generators.h"

namespace etch::rtl {

SvFile mac_pe_sv(const RtlParams& p) {
  static const char* kTemplate = R"(${BANNER}
module etch_mac_pe (
    input  logic              clk,
    input  logic              rst_n,
    input  logic              shadow_shift,
    input  logic signed [7:0]  shadow_in,
    output logic signed [7:0]  shadow_out,
    input  logic              swap_in,
    output logic              swap_out,
    input  logic signed [7:0]  x_in,
    output logic signed [7:0]  x_out,
    input  logic signed [31:0] psum_in,
    output logic signed [31:0] psum_out
);
  logic signed [7:0]  active;
  logic signed [7:0]  weight;
  logic signed [15:0] product;

  assign weight  = swap_in ? shadow_out : active;
  assign product = x_in * weight;

  always_ff @(posedge clk) begin
    if (!rst_n) begin
      shadow_out <= 8'sd0;
      active     <= 8'sd0;
      swap_out   <= 1'b0;
    end else begin
      if (shadow_shift) shadow_out <= shadow_in;
      if (swap_in) active <= shadow_out;
      swap_out <= swap_in;
    end
    x_out    <= x_in;
    psum_out <= psum_in + $signed({{16{product[15]}}, product});
  end
endmodule
)";
  return {"etch_mac_pe",
          substitute(kTemplate, {{"BANNER", generated_banner(p.target_name, "int8 MAC processing element")}})};
}

}  // namespace etch::rtl
