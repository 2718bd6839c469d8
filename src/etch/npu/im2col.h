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

// matmul_k_offset for k0, k0 + 1, ..., k0 + count - 1 into out[0, count):
// the (channel, row, column) triple advances by counting, without the
// divisions per index (the simulator needs every offset of every MATMUL).
inline void matmul_k_offsets(const Instr& mm, int64_t k0, int64_t count, int64_t* out) {
  if (count <= 0) return;
  const int64_t kh = mm[Field::kernel_h], kw = mm[Field::kernel_w], ch = mm[Field::c];
  const int64_t cs = mm[Field::x_chan_stride], rs = mm[Field::dil_h] * mm[Field::x_pitch], ss = mm[Field::dil_w];
  const bool outer = mm[Field::k_order] == kKOrderChannelOuter;
  int64_t c, r, s;
  if (outer) {
    c = k0 / (kh * kw), r = (k0 / kw) % kh, s = k0 % kw;
  } else {
    c = k0 % ch, r = (k0 / ch) / kw, s = (k0 / ch) % kw;
  }
  for (int64_t i = 0; i < count; ++i) {
    out[i] = c * cs + r * rs + s * ss;
    if (outer) {  // column fastest, then row, then channel
      if (++s == kw) s = 0, ++r;
      if (r == kh) r = 0, ++c;
    } else {  // channel fastest, then column, then row
      if (++c == ch) c = 0, ++s;
      if (s == kw) s = 0, ++r;
    }
  }
}

inline int64_t matmul_pixel_offset(const Instr& mm, int64_t oy, int64_t ox) {
  return oy * mm[Field::stride_h] * mm[Field::x_pitch] + ox * mm[Field::stride_w];
}

}  // namespace etch::npu
