// One generator per SystemVerilog module; each returns the module's file.
// generate.cc lists them in dependency order.
#pragma once
#include "etch/rtl/rtl_params.h"
#include "etch/rtl/sv_file.h"

namespace etch::rtl {

SvFile mbqm_sv(const RtlParams& p);            // gemmlowp MultiplyByQuantizedMultiplier (combinational)
SvFile output_stage_sv(const RtlParams& p);    // + zero point, clamp, one register stage (ends every int8 lane)
SvFile requantizer_sv(const RtlParams& p);     // bias + MBQM + output stage
SvFile vector_requant_sv(const RtlParams& p);  // `lanes` requantizers sharing one channel's parameters
SvFile add_lane_sv(const RtlParams& p);        // one lane of ADD: two rescales, a sum, a requantization
SvFile mul_lane_sv(const RtlParams& p);        // one lane of MUL: a product of offsets, a requantization
SvFile pool_lane_sv(const RtlParams& p);       // one lane of POOL: a window's max or requantized sum
SvFile lut_sv(const RtlParams& p);             // the 256-entry lookup table, `lanes` lookups per cycle
SvFile delay_sv(const RtlParams& p);           // a WIDTH x DEPTH shift register (0 = wire)
SvFile mac_pe_sv(const RtlParams& p);          // int8 x int8 + int32 processing element, shadow/active weights
SvFile systolic_array_sv(const RtlParams& p);  // rows x cols weight-stationary array with skew/deskew
SvFile token_queues_sv(const RtlParams& p);    // the four dependency-token counters between the engines
SvFile instr_decoder_sv(const RtlParams& p);   // the .npu instruction format, from npu::op_fields
SvFile sram_bank_sv(const RtlParams& p);       // single-port SRAM macro with byte enables
SvFile sram_buffer_sv(const RtlParams& p, const SramGeometry& g);  // two banks, two ports
SvFile dma_sv(const RtlParams& p);  // LOAD/STORE over one memory port into the buffers' port A

}  // namespace etch::rtl
