// How MATMUL reads its input operand: the reduction index k names a (channel,
// kernel row, kernel column) triple and the output pixel (oy, ox) a window
// origin; the byte read for (k, oy, ox) is x_addr + k_offset(k) +
// pixel_offset(oy, ox). Shared by the validator and the simulator so the two
// can never disagree on what an instruction touches.
#pragma once
#include <cstdint>

#include "etch/npu/isa.h"

namespace etch::npu {

inline int64_t matmul_k_offset(const Instr& mm, int64_t k) {
  const int64_t kh = mm[Field::kernel_h], kw = mm[Field::kernel_w];
  int64_t c, r, s;
  if (mm[Field::k_order] == kKOrderChannelOuter) {
    c = k / (kh * kw);
    r = (k / kw) % kh;
    s = k % kw;
  } else {
    const int64_t ch = mm[Field::c];
    c = k % ch;
    r = (k / ch) / kw;
    s = (k / ch) % kw;
  }
  return c * mm[Field::x_chan_stride] + r * mm[Field::dil_h] * mm[Field::x_pitch] + s * mm[Field::dil_w];
}

inline int64_t matmul_pixel_offset(const Instr& mm, int64_t oy, int64_t ox) {
  return oy * mm[Field::stride_h] * mm[Field::x_pitch] + ox * mm[Field::stride_w];
}

}  // namespace etch::npu
