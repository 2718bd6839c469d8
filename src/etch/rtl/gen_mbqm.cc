// MultiplyByQuantizedMultiplier in hardware, bit-identical to etch's integer
// reference (runtime/requantize.cc): x * multiplier * 2^(shift - 31), rounded.
// For shift <= 0 it is gemmlowp's SaturatingRoundingDoublingHighMul followed by
// RoundingDivideByPOT(-shift); for shift > 0 the doubling high-multiply is
// evaluated on the exact (x * 2^shift) * multiplier and saturated, as the
// reference does. Both cases share one datapath: a 32x32 product shifted left
// by max(shift, 0), the nudge-and-truncate of SRDHM (whose saturation also
// covers SRDHM's INT32_MIN * INT32_MIN case), then a rounding right shift by
// max(-shift, 0).
#include "etch/rtl/generators.h"

namespace etch::rtl {

SvFile mbqm_sv(const RtlParams& p) {
  static const char* kTemplate = R"(${BANNER}
module etch_mbqm (
    input  logic signed [31:0] x,
    input  logic signed [31:0] multiplier,
    input  logic signed [7:0]  shift,       // [-31, 30]; the program validator refuses others
    output logic signed [31:0] y
);
  logic        [4:0]  left;
  logic        [4:0]  right;
  logic signed [63:0] product;
  logic signed [95:0] scaled;    // |x * m| <= 2^62, shifted left by <= 31: fits in 96 bits
  logic signed [95:0] nudged;
  logic signed [95:0] high;      // nudged / 2^31, truncated toward zero
  logic signed [31:0] saturated;
  logic        [31:0] mask;
  logic        [31:0] remainder;
  logic        [31:0] threshold;
  logic signed [31:0] shifted;

  always_comb begin
    left      = shift > 8'sd0 ? shift[4:0] : 5'd0;
    right     = shift < 8'sd0 ? 5'd0 - shift[4:0] : 5'd0;  // -shift, in [1, 31]
    product   = $signed({{32{x[31]}}, x}) * $signed({{32{multiplier[31]}}, multiplier});
    scaled    = $signed({{32{product[63]}}, product}) <<< left;
    // SRDHM's nudge: round half away from zero before truncating.
    nudged    = scaled + (scaled[95] ? -96'sd1073741823 : 96'sd1073741824);
    high      = nudged[95] ? ((nudged + 96'sd2147483647) >>> 31) : (nudged >>> 31);
    if (high > 96'sd2147483647) saturated = 32'sh7fffffff;
    else if (high < -96'sd2147483648) saturated = 32'sh80000000;
    else saturated = high[31:0];
    // RoundingDivideByPOT(saturated, right): ties away from zero.
    mask      = (32'd1 << right) - 32'd1;
    remainder = saturated & mask;
    threshold = (mask >> 1) + {31'd0, saturated[31]};
    shifted   = saturated >>> right;
    y         = shifted + $signed({31'd0, remainder > threshold});
  end
endmodule
)";
  return {"etch_mbqm", substitute(kTemplate, {{"BANNER", generated_banner(p.target_name, "requantization multiply")}})};
}

}  // namespace etch::rtl
