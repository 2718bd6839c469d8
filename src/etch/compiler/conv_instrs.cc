// Buffer layout: input buffer = input slots then output slots, above the
// bottom image on chip (ConvSpec::ibuf_lo); an input image on chip is the
// resident input's slot wherever it is, and an output image needs no output
// slots. Weight buffer (from w_base) = weight slots then parameter slots;
// accumulators = one slot per output slot.
#include "etch/compiler/conv_instrs.h"

#include <algorithm>

#include "etch/compiler/program_builder.h"
#include "etch/npu/footprint.h"

namespace etch::compiler {

using npu::Instr;
using npu::Opcode;
using F = npu::Field;

ConvInstrs::ConvInstrs(const ConvSpec& s, const Schedule& sc, const npu::Target& t, const ConvPlace& place)
    : s_(s), sc_(sc), t_(t), place_(place) {
  param_base_ = place.w_base + sc.w_slots * sc.sizes.w;
  x_base_ = s.in_image >= 0 ? s.in_image : s.ibuf_lo;
  out_base_ = s.ibuf_lo + own_input_slot_bytes(s, sc.x_slots, sc.sizes);
  fk_ = fold_k(s, t);
}

std::vector<std::vector<Instr>> ConvInstrs::weight_loads(const Iteration& it) const {
  const ConvSpec& s = s_;
  const OutTile& o = sc_.tiles[it.tile];
  const int64_t kg = s.kg(), kk = s.kk(), vpitch = npu::sparse_value_bytes(kg), mpitch = npu::sparse_meta_bytes(kg);
  const int64_t wslot = place_.w_base + it.w_slot * sc_.sizes.w, ktile = it.tc * kk, row0 = o.g * s.mg + o.m0;
  std::vector<std::vector<Instr>> chunks;
  for (int64_t mf = 0; mf < o.tm; mf += t_.cols) {
    const int64_t mc = std::min<int64_t>(t_.cols, o.tm - mf);
    for (int64_t kf = 0; kf < ktile; kf += fk_) {
      const int64_t kc = std::min(fk_, ktile - kf);
      std::vector<Instr> chunk;
      if (s.sparse) {
        const int64_t kv = npu::sparse_value_bytes(kf), km = npu::sparse_meta_bytes(kf);
        chunk.push_back(ProgramBuilder::dma(Opcode::Load, npu::Buffer::Weight,
                                            place_.values + (row0 + mf) * vpitch + kv, wslot + mf * vpitch + kv, mc,
                                            npu::sparse_value_bytes(kc), vpitch, vpitch));
        chunk.push_back(ProgramBuilder::dma(Opcode::Load, npu::Buffer::Weight, place_.meta + (row0 + mf) * mpitch + km,
                                            wslot + sc_.sizes.w_values + mf * mpitch + km, mc,
                                            npu::sparse_meta_bytes(kc), mpitch, mpitch));
      } else {
        chunk.push_back(ProgramBuilder::dma(Opcode::Load, npu::Buffer::Weight,
                                            place_.values + (row0 + mf) * kg + it.c0 * kk + kf, wslot + mf * ktile + kf,
                                            mc, kc, kg, ktile));
      }
      chunks.push_back(std::move(chunk));
    }
  }
  return chunks;
}

Instr ConvInstrs::param_load(const Iteration& it) const {
  const OutTile& o = sc_.tiles[it.tile];
  const uint64_t dram = place_.param_addr.empty() ? 0 : place_.param_addr[it.tile];
  return ProgramBuilder::dma(Opcode::Load, npu::Buffer::Weight, static_cast<int64_t>(dram),
                             param_base_ + o.param_slot * sc_.sizes.params, 1, s_.params_bytes(o.tm), 0, 0);
}

Instr ConvInstrs::input_load(const Iteration& it) const {
  const ConvSpec& s = s_;
  if (sc_.resident_input)  // rows x_row0.. of every channel, at their place in the whole input
    return ProgramBuilder::dma(Opcode::Load, npu::Buffer::Input,
                               s.in.dram_addr + (it.x_row0 - s.pad_t + s.in.pad) * s.in.pitch(),
                               x_base_ + it.x_row0 * s.in.pitch(), it.tc, it.x_rows * s.in.pitch(), s.in.chan_stride(),
                               resident_x_chan_bytes(s));
  const OutTile& o = sc_.tiles[it.tile];
  const int64_t pitch = s.in.pitch(), rows = tile_rows_in(s, o), xw = x_row_bytes(s, o.tw), x_chan = rows * xw;
  const int64_t r0 = o.oy0 * s.sh - s.pad_t + s.in.pad;
  // A full-width tile starts at the row's halo, a narrower one at its first column read.
  const int64_t c0 = xw == pitch ? 0 : o.ox0 * s.sw - s.pad_l + s.in.pad;
  const int64_t dram = s.in.dram_addr + (o.g * s.cg + it.c0) * s.in.chan_stride() + r0 * pitch + c0;
  if (o.ry == 1 && xw == pitch)  // whole rows: one contiguous block per channel
    return ProgramBuilder::dma(Opcode::Load, npu::Buffer::Input, dram, x_base_ + it.x_slot * sc_.sizes.x, it.tc, x_chan,
                               s.in.chan_stride(), x_chan);
  // Part of each row and/or one row phase (every dh-th row), packed adjacent.
  return ProgramBuilder::dma(Opcode::Load, npu::Buffer::Input, dram, x_base_ + it.x_slot * sc_.sizes.x, rows, xw,
                             o.ry * pitch, xw, it.tc, s.in.chan_stride(), x_chan);
}

Instr ConvInstrs::preload(const Iteration& it, int64_t mf, int64_t kf) const {
  const ConvSpec& s = s_;
  const OutTile& o = sc_.tiles[it.tile];
  const int64_t kg = s.kg(), ktile = it.tc * s.kk();
  const int64_t wpitch = s.sparse ? npu::sparse_value_bytes(kg) : ktile,
                wslot = place_.w_base + it.w_slot * sc_.sizes.w;
  Instr pl;
  pl.op = Opcode::Preload;
  pl[F::w_addr] = wslot + mf * wpitch + (s.sparse ? npu::sparse_value_bytes(kf) : kf);
  pl[F::w_pitch] = wpitch;
  pl[F::m] = std::min<int64_t>(t_.cols, o.tm - mf);
  pl[F::k] = std::min(fk_, ktile - kf);
  if (s.sparse) {
    pl[F::sparse] = 1;
    pl[F::meta_addr] = wslot + sc_.sizes.w_values + mf * npu::sparse_meta_bytes(kg) + npu::sparse_meta_bytes(kf);
    pl[F::meta_pitch] = npu::sparse_meta_bytes(kg);
  }
  return pl;
}

Instr ConvInstrs::matmul(const Iteration& it, int64_t mf, int64_t kf) const {
  const ConvSpec& s = s_;
  const OutTile& o = sc_.tiles[it.tile];
  const int64_t n = o.th * o.tw, xw = x_row_bytes(s, o.tw), ktile = it.tc * s.kk();
  Instr mm;
  mm.op = Opcode::Matmul;
  // A full-width tile holds the row's halo; a narrower one starts at its first column read.
  if (sc_.resident_input) {
    // The tile's rows inside the whole input: the resident slot's first row
    // is the first the layer reads; an image on chip is laid out as in DRAM,
    // every group's channels in it.
    const bool image = s.in_image >= 0;
    mm[F::x_addr] = x_base_ + (image ? (o.g * s.cg + it.c0) * s.in.chan_stride() : 0) +
                    ((image ? s.in.pad - s.pad_t : 0) + o.oy0 * s.sh) * xw + s.in.pad - s.pad_l;
    mm[F::x_chan_stride] = image ? s.in.chan_stride() : resident_x_chan_bytes(s);
  } else {
    mm[F::x_addr] = x_base_ + it.x_slot * sc_.sizes.x + (xw == s.in.pitch() ? s.in.pad - s.pad_l : 0);
    mm[F::x_chan_stride] = tile_rows_in(s, o) * xw;
  }
  mm[F::x_pitch] = xw;
  mm[F::acc_addr] = o.slot * sc_.sizes.acc_entries + mf * n;
  mm[F::acc_pitch] = n;
  mm[F::m] = std::min<int64_t>(t_.cols, o.tm - mf);
  mm[F::k] = std::min(fk_, ktile - kf);
  mm[F::k0] = kf;
  mm[F::out_h] = o.th;
  mm[F::out_w] = o.tw;
  mm[F::stride_h] = s.sh;
  mm[F::stride_w] = s.sw;
  mm[F::kernel_h] = s.kh;
  mm[F::kernel_w] = s.kw;
  mm[F::dil_h] = o.ry > 1 ? 1 : s.dh;  // row-phased: the kernel's rows are adjacent in the tile
  mm[F::dil_w] = s.dw;
  mm[F::c] = it.tc;
  mm[F::k_order] = s.sparse ? npu::kKOrderChannelInner : npu::kKOrderChannelOuter;
  mm[F::accumulate] = (it.ci > 0 || kf > 0) ? 1 : 0;
  mm[F::swap] = it.reuse_array_weights ? 0 : 1;
  return mm;
}

Instr ConvInstrs::requant(int tile, int64_t part) const {
  const OutTile& o = sc_.tiles[tile];
  const int64_t n = o.th * o.tw, rows = requant_rows(s_, o), row0 = part * rows;
  Instr rq;
  rq.op = Opcode::Requant;
  rq[F::acc_addr] = o.slot * sc_.sizes.acc_entries + row0 * o.tw;
  rq[F::acc_pitch] = n;
  rq[F::m] = o.tm;
  rq[F::n] = rows * o.tw;
  rq[F::param_addr] = param_base_ + o.param_slot * sc_.sizes.params;
  if (s_.out_image >= 0) {  // at the rows' place in the image
    const npu::TensorDesc& d = s_.out;
    rq[F::out_addr] = s_.out_image + (o.g * s_.mg + o.m0) * d.chan_stride() +
                      (o.oy0 + row0 * o.ry + d.pad) * d.pitch() + d.pad + o.ox0;
    rq[F::out_chan_stride] = d.chan_stride();
  } else {
    rq[F::out_addr] = out_base_ + o.slot * sc_.sizes.out;
    rq[F::out_chan_stride] = n;
  }
  rq[F::y_zp] = s_.y_zp;
  rq[F::act_min] = s_.act_min;
  rq[F::act_max] = s_.act_max;
  rq[F::table] = s_.table.empty() ? 0 : 1;
  return rq;
}

Instr ConvInstrs::store(int tile) const {
  const ConvSpec& s = s_;
  const OutTile& o = sc_.tiles[tile];
  const npu::TensorDesc& d = s.out;
  const int64_t n = o.th * o.tw;
  const int64_t at = (o.g * s.mg + o.m0) * d.chan_stride() + (o.oy0 + d.pad) * d.pitch() + d.pad + o.ox0;
  if (s.out_image >= 0)  // from the image, laid out as in DRAM
    return ProgramBuilder::dma(Opcode::Store, npu::Buffer::Input, d.dram_addr + at, s.out_image + at, o.th, o.tw,
                               o.ry * d.pitch(), o.ry * d.pitch(), o.tm, d.chan_stride(), d.chan_stride());
  return ProgramBuilder::dma(Opcode::Store, npu::Buffer::Input, d.dram_addr + at, out_base_ + o.slot * sc_.sizes.out,
                             o.th, o.tw, o.ry * d.pitch(), o.tw, o.tm, d.chan_stride(), n);
}

std::vector<HaloPiece> halo_pieces(const npu::TensorDesc& d, bool columns) {
  const int64_t pad = d.pad, pitch = d.pitch(), side = columns ? pad : 0;
  if (pad == 0) return {};
  std::vector<HaloPiece> v{{0, pad * pitch + side}};
  if (columns)
    for (int64_t y = 1; y < d.h; ++y) v.push_back({(pad + y) * pitch - pad, 2 * pad});
  v.push_back({(pad + d.h) * pitch - side, pad * pitch + side});
  return v;
}

Instr halo_fill(const npu::TensorDesc& d, int64_t image, const HaloPiece& piece) {
  Instr p;
  p.op = Opcode::Pool;
  p[F::mode] = npu::kPoolAvg;
  p[F::in_addr] = image + d.pad * d.pitch() + d.pad;  // the first interior byte: read by no window
  p[F::out_addr] = image + piece.offset;
  p[F::in_pitch] = 1;
  p[F::c] = d.c;
  p[F::out_h] = 1;
  p[F::out_w] = piece.bytes;
  p[F::kernel_h] = p[F::kernel_w] = p[F::stride_h] = p[F::stride_w] = 1;
  p[F::org_r] = 1;  // every window below the valid rectangle [0, 1) x [0, 1)
  p[F::valid_r1] = p[F::valid_c1] = 1;
  p[F::out_chan_stride] = d.chan_stride();
  p[F::y_zp] = d.zero_point;
  p[F::act_min] = -128;
  p[F::act_max] = 127;
  return p;
}

}  // namespace etch::compiler
