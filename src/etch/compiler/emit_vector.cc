#include "etch/compiler/emit_vector.h"

#include <fmt/format.h>

#include <functional>

#include "etch/compiler/conv_instrs.h"
#include "etch/compiler/layer_does_not_fit.h"
#include "etch/core/error.h"
#include "etch/npu/footprint.h"

namespace etch::compiler {
namespace {

using npu::Field;
using npu::Instr;
using npu::Opcode;
using F = Field;

}  // namespace

// Largest (tc, th) with tc = all channels if possible whose double-buffered
// footprint bytes(tc, th) fits the input buffer.
std::vector<Tile> make_tiles(const std::string& name, int64_t c, int64_t oh, const npu::Target& t,
                             const std::function<int64_t(int64_t, int64_t)>& bytes, int64_t capacity,
                             bool whole_planes) {
  const int64_t cap = capacity >= 0 ? capacity : t.input_buffer_bytes;
  int64_t tc = c, th = oh;
  while (!whole_planes && th > 1 && 2 * bytes(tc, th) > cap) th = (th + 1) / 2;
  while (tc > 1 && 2 * bytes(tc, th) > cap) tc = (tc + 1) / 2;
  if (2 * bytes(tc, th) > cap)
    throw LayerDoesNotFit(fmt::format(
        "layer '{}' does not fit target '{}': the input buffer ({} bytes) cannot hold one minimal double-buffered "
        "tile ({} bytes)",
        name, t.name, cap, 2 * bytes(tc, th)));
  std::vector<Tile> tiles;
  for (int64_t c0 = 0; c0 < c; c0 += tc)
    for (int64_t y0 = 0; y0 < oh; y0 += th) tiles.push_back({c0, std::min(tc, c - c0), y0, std::min(th, oh - y0)});
  return tiles;
}

// DMA between a [tc][th][w] contiguous SRAM block and rows y0.. of channels
// c0.. of a tensor's interior.
Instr interior(Opcode op, const npu::TensorDesc& d, int64_t sram, const Tile& tl) {
  return ProgramBuilder::dma(op, npu::Buffer::Input,
                             d.dram_addr + tl.c0 * d.chan_stride() + (tl.y0 + d.pad) * d.pitch() + d.pad, sram, tl.th,
                             d.w, d.pitch(), d.w, tl.tc, d.chan_stride(), tl.th * d.w);
}

// load -> op -> store for every tile, two slots each; ops[i] reads what
// loads[i] brought in and writes what store[i] sends out. A layer that reads
// its input on chip loads nothing for any tile, one that leaves its output on
// chip stores nothing: its ops then wait on no load or store (and the layer
// stays readable as steps, vector_prev_layer).
void pipeline(ProgramBuilder& b, size_t n, const std::function<std::vector<Instr>(size_t, int)>& loads,
              const std::function<Instr(size_t, int)>& op,
              const std::function<std::optional<Instr>(size_t, int)>& store) {
  const bool loaded = n > 0 && !loads(0, 0).empty(), stored = n > 0 && store(0, 0).has_value();
  for (size_t i = 0; i < n; ++i) {
    const int slot = static_cast<int>(i % 2);
    std::vector<Instr> dmas = loads(i, slot);
    std::optional<Instr> st = store(i, slot);
    ETCH_CHECK(dmas.empty() != loaded && st.has_value() == stored) << "a vector layer moves data for some tiles only";
    if (loaded) b.loads(std::move(dmas), i >= 2 ? 1 : 0, true);
    Instr v = op(i, slot);
    v.tokens = (loaded ? npu::kPopPrev : 0) | (loaded && i + 2 < n ? npu::kPushPrev : 0) |
               (stored ? npu::kPushNext : 0) | (stored && i >= 2 ? npu::kPopNext : 0);
    b.emit(v);
    if (!stored) continue;
    st->tokens = npu::kPopPrev | (i + 2 < n ? npu::kPushPrev : 0);
    b.emit(*st);
  }
  b.barrier();
}

void emit_pool(ProgramBuilder& b, const PoolSpec& s) {
  const npu::TensorDesc& in = s.in;
  const int64_t P = in.pad, pitch = in.pitch();
  // An input on chip is read in place, an output on chip written in place:
  // only what is in DRAM takes slots.
  const bool on_chip = s.in_image >= 0, out_on_chip = s.out_image >= 0;
  const npu::TensorDesc& out = s.out;
  auto rows_in = [&](int64_t th) { return (th - 1) * s.sh + s.kh; };
  auto bytes = [&](int64_t tc, int64_t th) {
    return (on_chip ? 0 : tc * rows_in(th) * pitch) + (out_on_chip ? 0 : tc * th * s.ow);
  };
  std::vector<Tile> tiles =
      make_tiles(s.name, s.c, s.oh, b.target(), bytes, b.target().input_buffer_bytes - s.ibuf_lo - s.ibuf_hi, false);
  if (out_on_chip && out.pad > 0) {
    // A haloed image's rows are not adjacent: one output row per POOL, after
    // the halo gets the zero point.
    std::vector<Tile> rows;
    for (const Tile& tl : tiles)
      for (int64_t y = tl.y0; y < tl.y0 + tl.th; ++y) rows.push_back({tl.c0, tl.tc, y, 1});
    tiles = std::move(rows);
    for (const HaloPiece& h : halo_pieces(out, s.out_halo_columns)) b.emit(halo_fill(out, s.out_image, h));
  }
  const int64_t out_size = out_on_chip ? 0 : tiles[0].tc * tiles[0].th * s.ow;
  const int64_t x_size = bytes(tiles[0].tc, tiles[0].th) - out_size;
  const int64_t out_base = s.ibuf_lo + 2 * x_size;
  // First padded input row of tile tl and how many rows it reads.
  auto first_row = [&](const Tile& tl) { return tl.y0 * s.sh - s.pad_t + P; };
  auto rows_read = [&](const Tile& tl) { return std::min(rows_in(tl.th), in.h + 2 * P - first_row(tl)); };
  pipeline(
      b, tiles.size(),
      [&](size_t i, int slot) {
        const Tile& tl = tiles[i];
        if (on_chip) return std::vector<Instr>{};
        return std::vector<Instr>{ProgramBuilder::dma(
            Opcode::Load, npu::Buffer::Input, in.dram_addr + tl.c0 * in.chan_stride() + first_row(tl) * pitch,
            s.ibuf_lo + slot * x_size, tl.tc, rows_read(tl) * pitch, in.chan_stride(), rows_read(tl) * pitch)};
      },
      [&](size_t i, int slot) {
        const Tile& tl = tiles[i];
        const int64_t r0 = first_row(tl), rows = rows_read(tl);
        Instr p;
        p.op = Opcode::Pool;
        p[F::mode] = s.avg ? npu::kPoolAvg : npu::kPoolMax;
        p[F::in_addr] = on_chip ? s.in_image + tl.c0 * in.chan_stride() + r0 * pitch : s.ibuf_lo + slot * x_size;
        p[F::in_chan_stride] = on_chip ? in.chan_stride() : rows * pitch;
        p[F::in_pitch] = pitch;
        p[F::c] = tl.tc;
        p[F::out_h] = tl.th;
        p[F::out_w] = s.ow;
        p[F::kernel_h] = s.kh;
        p[F::kernel_w] = s.kw;
        p[F::stride_h] = s.sh;
        p[F::stride_w] = s.sw;
        p[F::org_r] = 0;
        p[F::org_c] = P - s.pad_l;
        p[F::valid_r0] = std::max<int64_t>(0, P - r0);
        p[F::valid_r1] = std::min(rows, P + in.h - r0);
        p[F::valid_c0] = P;
        p[F::valid_c1] = P + in.w;
        // On chip: row y0 (and, without a halo, the rows after it) of
        // channels c0.. of the image.
        p[F::out_addr] = out_on_chip
                             ? s.out_image + tl.c0 * out.chan_stride() + (tl.y0 + out.pad) * out.pitch() + out.pad
                             : out_base + slot * out_size;
        p[F::out_chan_stride] = out_on_chip ? out.chan_stride() : tl.th * s.ow;
        p[F::x_zp] = s.q.x_zero_point;
        p[F::y_zp] = s.q.y.zero_point;
        p[F::mult] = s.q.requant.multiplier;
        p[F::shift] = s.q.requant.shift;
        p[F::act_min] = s.q.y.act_min;
        p[F::act_max] = s.q.y.act_max;
        return p;
      },
      [&](size_t i, int slot) -> std::optional<Instr> {
        if (out_on_chip) return std::nullopt;
        return interior(Opcode::Store, s.out, out_base + slot * out_size, tiles[i]);
      });
}

void emit_add(ProgramBuilder& b, const AddSpec& s) {
  const int64_t w = s.out.w;
  // Regions of two slots each: the operands loaded from DRAM, then the output
  // unless it goes to an image.
  const bool a_in = s.a_image < 0, b_in = s.b_image < 0, out_on_chip = s.out_image >= 0;
  const int64_t regions = (a_in ? 1 : 0) + (b_in ? 1 : 0) + (out_on_chip ? 0 : 1);
  auto bytes = [&](int64_t tc, int64_t th) { return regions * tc * th * w; };
  // An operand or output on chip is read or written in place: whole channel
  // planes (contiguous without a halo), and the slots fit beside it.
  ETCH_CHECK((a_in || s.a.pad == 0) && (b_in || s.b.pad == 0) && (!out_on_chip || s.out.pad == 0))
      << s.name << ": an operand or output on chip has a halo";
  const std::vector<Tile> tiles =
      make_tiles(s.name, s.out.c, s.out.h, b.target(), bytes, b.target().input_buffer_bytes - s.ibuf_lo - s.ibuf_hi,
                 !a_in || !b_in || out_on_chip);
  const int64_t part = tiles[0].tc * tiles[0].th * w, base = s.ibuf_lo;
  const int64_t a_slots = base, b_slots = base + (a_in ? 2 : 0) * part, out_slots = b_slots + (b_in ? 2 : 0) * part;
  auto operand = [&](int64_t image, const npu::TensorDesc& d, int64_t slots, const Tile& tl, int slot) {
    return image >= 0 ? image + tl.c0 * d.chan_stride() : slots + slot * part;
  };
  pipeline(
      b, tiles.size(),
      [&](size_t i, int slot) {
        std::vector<Instr> l;
        if (a_in) l.push_back(interior(Opcode::Load, s.a, a_slots + slot * part, tiles[i]));
        if (b_in) l.push_back(interior(Opcode::Load, s.b, b_slots + slot * part, tiles[i]));
        return l;
      },
      [&](size_t i, int slot) {
        Instr a;
        a.op = Opcode::Add;
        a[F::a_addr] = operand(s.a_image, s.a, a_slots, tiles[i], slot);
        a[F::b_addr] = operand(s.b_image, s.b, b_slots, tiles[i], slot);
        a[F::out_addr] = operand(s.out_image, s.out, out_slots, tiles[i], slot);
        a[F::n] = tiles[i].tc * tiles[i].th * w;
        a[F::a_zp] = s.q.a_zero_point;
        a[F::b_zp] = s.q.b_zero_point;
        a[F::y_zp] = s.q.y.zero_point;
        a[F::left_shift] = s.q.left_shift;
        a[F::a_mult] = s.q.a.multiplier;
        a[F::a_shift] = s.q.a.shift;
        a[F::b_mult] = s.q.b.multiplier;
        a[F::b_shift] = s.q.b.shift;
        a[F::mult] = s.q.y_requant.multiplier;
        a[F::shift] = s.q.y_requant.shift;
        a[F::act_min] = s.q.y.act_min;
        a[F::act_max] = s.q.y.act_max;
        return a;
      },
      [&](size_t i, int slot) -> std::optional<Instr> {
        if (out_on_chip && !s.store_out_image) return std::nullopt;
        return interior(Opcode::Store, s.out, operand(s.out_image, s.out, out_slots, tiles[i], slot), tiles[i]);
      });
}

void emit_lut(ProgramBuilder& b, const LutSpec& s) {
  ETCH_REQUIRE(b.target().weight_buffer_bytes >= npu::kTableBytes, InvalidInput)
      << "layer '" << s.name << "': the weight buffer cannot hold a 256-byte lookup table";
  const uint64_t table = b.add_weights(s.table.data(), npu::kTableBytes);
  const int64_t w = s.out.w;
  auto bytes = [&](int64_t tc, int64_t th) { return 2 * tc * th * w; };
  const std::vector<Tile> tiles = make_tiles(s.name, s.out.c, s.out.h, b.target(), bytes);
  const int64_t part = tiles[0].tc * tiles[0].th * w;
  pipeline(
      b, tiles.size(),
      [&](size_t i, int slot) {
        std::vector<Instr> l;
        if (i == 0)
          l.push_back(ProgramBuilder::dma(Opcode::Load, npu::Buffer::Weight, table, 0, 1, npu::kTableBytes, 0, 0));
        l.push_back(interior(Opcode::Load, s.in, slot * part, tiles[i]));
        return l;
      },
      [&](size_t i, int slot) {
        Instr l;
        l.op = Opcode::Lut;
        l[F::in_addr] = slot * part;
        l[F::out_addr] = (2 + slot) * part;
        l[F::n] = tiles[i].tc * tiles[i].th * w;
        l[F::table_addr] = 0;
        return l;
      },
      [&](size_t i, int slot) { return interior(Opcode::Store, s.out, (2 + slot) * part, tiles[i]); });
}

void emit_copy(ProgramBuilder& b, const CopySpec& s) {
  const int64_t w = s.src.w;
  auto bytes = [&](int64_t tc, int64_t th) { return 2 * tc * th * w; };
  const std::vector<Tile> tiles = make_tiles(s.name, s.src.c, s.src.h, b.target(), bytes);
  const int64_t part = tiles[0].tc * tiles[0].th * w;
  pipeline(
      b, tiles.size(),
      [&](size_t i, int slot) { return std::vector<Instr>{interior(Opcode::Load, s.src, slot * part, tiles[i])}; },
      [&](size_t i, int slot) {
        Instr c;
        c.op = Opcode::Copy;
        c[F::in_addr] = slot * part;
        c[F::out_addr] = (2 + slot) * part;
        c[F::n] = tiles[i].tc * tiles[i].th * w;
        return c;
      },
      [&](size_t i, int slot) { return interior(Opcode::Store, s.dst, (2 + slot) * part, tiles[i]); });
}

}  // namespace etch::compiler
