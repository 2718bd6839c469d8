#include "etch/sim/machine.h"

#include <algorithm>
#include <cstring>

#include "etch/core/error.h"
#include "etch/npu/footprint.h"
#include "etch/npu/im2col.h"
#include "etch/sim/array_madd.h"
#include "etch/sim/fixed_point.h"
#include "etch/sim/fixed_point_rows.h"
#include "etch/sim/vector_exec.h"

namespace etch::sim {

using npu::Field;
using F = Field;

Machine::Machine(const npu::Program& p)
    : prog(p),
      dram(p.dram_bytes),
      ibuf(p.target.input_buffer_bytes),
      wbuf(p.target.weight_buffer_bytes),
      acc(p.target.accumulator_buffer_bytes / npu::kAccumulatorEntryBytes) {
  // Every activation starts as its zero point, so halos read as padding.
  for (const npu::TensorDesc& t : p.tensors)
    std::memset(dram.data() + t.dram_addr, static_cast<int8_t>(t.zero_point), t.dram_bytes());
  if (!p.weight_image.empty()) std::memcpy(dram.data() + p.weight_addr, p.weight_image.data(), p.weight_image.size());
}

namespace {

// One DMA row (DRAM and SRAM never overlap). Rows of 8 to 32 bytes, the usual
// weight-tile rows, take two overlapping fixed-size copies the compiler
// inlines; a library call per row would cost more than the bytes.
void copy_row(int8_t* dst, const int8_t* src, int64_t n) {
  if (n >= 16 && n <= 32) {
    std::memcpy(dst, src, 16);
    std::memcpy(dst + n - 16, src + n - 16, 16);
  } else if (n >= 8 && n < 16) {
    std::memcpy(dst, src, 8);
    std::memcpy(dst + n - 8, src + n - 8, 8);
  } else {
    std::memcpy(dst, src, n);
  }
}

}  // namespace

void Machine::dma(const npu::Instr& in, bool load) {
  int8_t* sram = (in[F::buf] == 0 ? ibuf.data() : wbuf.data());
  const int64_t rb = in[F::row_bytes];
  if (load && in[F::buf] != 0 && in[F::rows] > 0 && in[F::reps] > 0) {
    // A deferred weight set whose rows this LOAD overwrites is read now.
    const int64_t lo = in[F::sram];
    const int64_t hi = lo + (in[F::reps] - 1) * in[F::sram_rep_stride] + (in[F::rows] - 1) * in[F::sram_stride] + rb;
    for (WeightSet* set : {&shadow, &active}) {
      if (!set->deferred) continue;
      const npu::Instr& p = *set->deferred;
      const int64_t from = p[F::w_addr], to = from + (p[F::m] - 1) * p[F::w_pitch] + p[F::k];
      if (from < hi && lo < to) expand(*set);
    }
  }
  for (int64_t r = 0; r < in[F::reps]; ++r)
    for (int64_t i = 0; i < in[F::rows]; ++i) {
      int8_t* s = sram + in[F::sram] + r * in[F::sram_rep_stride] + i * in[F::sram_stride];
      int8_t* d = dram.data() + in[F::dram] + r * in[F::dram_rep_stride] + i * in[F::dram_stride];
      if (load)
        copy_row(s, d, rb);
      else
        copy_row(d, s, rb);
    }
}

const int8_t* Machine::preload_row(const npu::Instr& pre, int64_t i) const {
  return wbuf.data() + pre[F::w_addr] + i * pre[F::w_pitch];
}

void Machine::expand(WeightSet& set) {
  const npu::Instr& in = *set.deferred;
  const int64_t stride = madd_weight_stride(set.k);
  set.rows.resize(set.m * stride);
  set.sums.resize(set.m);
  for (int64_t i = 0; i < set.m; ++i)
    set.sums[i] = copy_weight_row(preload_row(in, i), set.k, stride, set.rows.data() + i * stride);
  set.deferred = nullptr;
}

void Machine::preload(const npu::Instr& in, size_t index) {
  const int64_t m = in[F::m], k = in[F::k], stride = madd_weight_stride(k);
  const bool sparse = in[F::sparse] != 0;
  shadow.m = m;
  shadow.k = k;
  shadow.sparse = sparse;
  shadow.valid = true;
  shadow.deferred = nullptr;
  if (!sparse) {
    shadow.deferred = &in;
    // Only append_fold (quads) reads a deferred set; the pairs MATMUL reads `rows`.
    if (layout != MaddLayout::Quads) expand(shadow);
    return;
  }
  // Every byte of the m rows is written below: no zero-fill first.
  shadow.rows.resize(m * stride);
  shadow.sums.resize(m);
  for (int64_t i = 0; i < m; ++i) {
    const int8_t* w = preload_row(in, i);
    int8_t* dst = shadow.rows.data() + i * stride;
    std::fill(dst, dst + stride, int8_t{0});
    // 2:4: per group of 4 logical weights, 2 stored values and one metadata
    // byte holding their two positions (2 bits each, low bits first).
    const uint8_t* meta = reinterpret_cast<const uint8_t*>(wbuf.data()) + in[F::meta_addr] + i * in[F::meta_pitch];
    for (int64_t g = 0; g < npu::sparse_meta_bytes(k); ++g) {
      const int p0 = meta[g] & 3, p1 = (meta[g] >> 2) & 3;
      ETCH_REQUIRE(p0 != p1, InvalidInput) << "instruction " << index << " (preload): row " << i << ", group " << g
                                           << " of the 2:4 metadata names position " << p0 << " twice";
      dst[4 * g + p0] = w[2 * g];
      dst[4 * g + p1] = w[2 * g + 1];
    }
    int32_t sum = 0;
    for (int64_t j = 0; j < k; ++j) sum += dst[j];
    shadow.sums[i] = sum;
  }
}

// The three hottest instructions spend their time in array_madd.h and
// fixed_point_rows.h, which pick vector or portable loops by the CPU.
void Machine::matmul(const npu::Instr& in, size_t index) {
  if (in[F::swap]) {
    ETCH_REQUIRE(shadow.valid, InvalidInput) << "instruction " << index << " (matmul): swap without a preload";
    std::swap(shadow, active);
    shadow.valid = false;
    shadow.deferred = nullptr;
  }
  const int64_t m = in[F::m], k = in[F::k];
  ETCH_REQUIRE(active.valid && active.m == m && active.k == k, InvalidInput)
      << "instruction " << index << " (matmul): m=" << m << " k=" << k << " do not match the array's weights ("
      << active.m << " x " << active.k << ")";
  if (layout == MaddLayout::Quads) {
    if (!(pending.folds > 0 && in[F::accumulate] && same_tile(*pending.first, in))) flush();
    append_fold(in);
    return;
  }
  const int64_t oh = in[F::out_h], ow = in[F::out_w], n = oh * ow;
  const int8_t* x = ibuf.data() + in[F::x_addr];
  k_offsets.resize(k);
  npu::matmul_k_offsets(in, in[F::k0], k, k_offsets.data());
  acc_rows.resize(m);
  weight_rows.resize(m);
  for (int64_t i = 0; i < m; ++i) {
    acc_rows[i] = acc.data() + in[F::acc_addr] + i * in[F::acc_pitch];
    if (!in[F::accumulate]) std::fill(acc_rows[i], acc_rows[i] + n, 0);
    weight_rows[i] = active.rows.data() + i * madd_weight_stride(k);
  }
  const int64_t pairs = madd_pairs(k);
  xpairs.resize(pairs * 2 * n);
  for (int64_t q = 0; q < pairs; ++q) {
    const int8_t* base0 = x + k_offsets[2 * q];
    const int8_t* base1 = 2 * q + 1 < k ? x + k_offsets[2 * q + 1] : nullptr;
    for (int64_t oy = 0; oy < oh; ++oy) {
      const int64_t row = npu::matmul_pixel_offset(in, oy, 0);
      interleave_pair_row(xpairs.data() + (q * oh + oy) * 2 * ow, base0 + row, base1 ? base1 + row : nullptr, ow,
                          in[F::stride_w]);
    }
  }
  accumulate_pair_columns(acc_rows.data(), xpairs.data(), weight_rows.data(), m, pairs, n);
}

// Folds of one tile (the same input window, accumulators and columns; only
// k0 and k differ) add into the same accumulators.
bool Machine::same_tile(const npu::Instr& a, const npu::Instr& b) {
  for (const Field f : {F::x_addr, F::x_chan_stride, F::x_pitch, F::acc_addr, F::acc_pitch, F::m, F::out_h, F::out_w,
                        F::stride_h, F::stride_w, F::kernel_h, F::kernel_w, F::dil_h, F::dil_w, F::c, F::k_order})
    if (a[f] != b[f]) return false;
  return true;
}

// The fold's active weights and input offsets join the pending tile, the fold
// padded to whole quads (offset -1: a row of zeros, against zero weights).
void Machine::append_fold(const npu::Instr& in) {
  PendingTile& t = pending;
  const int64_t m = in[F::m], k = in[F::k], stride = madd_weight_stride(k);
  if (t.folds == 0) {
    t.first = &in;
    t.overwrite = in[F::accumulate] == 0;
    t.used = 0;
    t.k_offsets.clear();
    t.weight_sum.assign(m, 0);
    if (static_cast<int64_t>(t.weights.size()) < m * t.pitch) t.weights.resize(m * t.pitch);
  }
  if (t.used + stride > t.pitch) {  // widen the rows, keeping what they hold
    const int64_t pitch = std::max({2 * t.pitch, t.used + stride, int64_t{64}});
    std::vector<int8_t> wider(m * pitch);
    for (int64_t i = 0; i < m; ++i) std::copy_n(t.weights.data() + i * t.pitch, t.used, wider.data() + i * pitch);
    t.weights = std::move(wider);
    t.pitch = pitch;
  }
  for (int64_t i = 0; i < m; ++i) {
    int8_t* to = t.weights.data() + i * t.pitch + t.used;
    int32_t sum;
    if (active.deferred) {
      sum = copy_weight_row(preload_row(*active.deferred, i), k, stride, to);
    } else {
      // Four bytes at a time (stride is whole quads): a tile's few bytes per
      // column, where a library call would cost more than the copy.
      const int8_t* from = active.rows.data() + i * stride;
      for (int64_t j = 0; j < stride; j += 4) std::memcpy(to + j, from + j, 4);
      sum = active.sums[i];
    }
    t.weight_sum[i] = wrapping_add(t.weight_sum[i], sum);
  }
  t.k_offsets.resize(t.used + stride, -1);
  npu::matmul_k_offsets(in, in[F::k0], k, t.k_offsets.data() + t.used);
  t.used += stride;
  ++t.folds;
}

// Runs the pending folds as one multiply-accumulate over all their quads:
// int32 sums wrap modulo 2^32, so adding the folds together gives the bits
// of adding them one by one. The simulator calls this before any instruction
// that may write the tile's input or read or write its accumulators.
void Machine::flush() {
  PendingTile& t = pending;
  if (t.folds == 0) return;
  const npu::Instr& in = *t.first;
  const int64_t m = in[F::m], oh = in[F::out_h], ow = in[F::out_w], n = oh * ow;
  const int8_t* x = ibuf.data() + in[F::x_addr];
  acc_rows.resize(m);
  weight_rows.resize(m);
  for (int64_t i = 0; i < m; ++i) {
    acc_rows[i] = acc.data() + in[F::acc_addr] + i * in[F::acc_pitch];
    if (t.overwrite) std::fill(acc_rows[i], acc_rows[i] + n, 0);
    weight_rows[i] = t.weights.data() + i * t.pitch;
  }
  // im2col in groups of four consecutive k interleaved per pixel (array_madd.h).
  const int64_t quads = t.used / 4;
  xquads.resize(quads * 4 * n);
  for (int64_t q = 0; q < quads; ++q)
    for (int64_t oy = 0; oy < oh; ++oy) {
      const int64_t row = npu::matmul_pixel_offset(in, oy, 0);
      const int8_t* rows[4];
      for (int j = 0; j < 4; ++j) {
        const int64_t off = t.k_offsets[4 * q + j];
        rows[j] = off >= 0 ? x + off + row : nullptr;
      }
      interleave_quad_row(xquads.data() + (q * oh + oy) * 4 * ow, rows, ow, in[F::stride_w]);
    }
  accumulate_quad_columns(acc_rows.data(), xquads.data(), weight_rows.data(), t.weight_sum.data(), m, quads, n);
  t.folds = 0;
}

namespace {

// y[i] = table[x[i] + 128]: a 256-entry int8 table (LUT, and REQUANT's `table`).
void lookup_row(const int8_t* table, const int8_t* x, int8_t* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = table[x[i] + 128];
}

}  // namespace

void Machine::requant(const npu::Instr& in) {
  const int64_t m = in[F::m], n = in[F::n];
  const uint8_t* params = reinterpret_cast<const uint8_t*>(wbuf.data()) + in[F::param_addr];
  const int32_t zp = static_cast<int32_t>(in[F::y_zp]);
  const int32_t lo = static_cast<int32_t>(in[F::act_min]), hi = static_cast<int32_t>(in[F::act_max]);
  // The fused element-wise function, applied to each row as a LUT instruction would.
  const int8_t* table = in[F::table] ? wbuf.data() + in[F::param_addr] + npu::requant_table_offset(m) : nullptr;
  for (int64_t i = 0; i < m; ++i) {
    int32_t bias, mult;
    std::memcpy(&bias, params + npu::requant_bias_offset(m, i), 4);
    std::memcpy(&mult, params + npu::requant_mult_offset(m, i), 4);
    const int shift = static_cast<int8_t>(params[npu::requant_shift_offset(m, i)]);
    ETCH_REQUIRE(shift >= -31 && shift <= 30 && mult >= 0, InvalidInput)
        << "requant: channel " << i << " has shift " << shift << " or multiplier " << mult << " out of range";
    const int32_t* a = acc.data() + in[F::acc_addr] + i * in[F::acc_pitch];
    int8_t* out = ibuf.data() + in[F::out_addr] + i * in[F::out_chan_stride];
    // The shift is the channel's: the common right shift takes the vector
    // rows (fixed_point_rows.h), a left shift its 128-bit path.
    if (shift <= 0) {
      requant_row_right(a, bias, mult, shift, zp, lo, hi, out, n);
    } else {
      for (int64_t p = 0; p < n; ++p) {
        const int32_t biased = static_cast<int32_t>(static_cast<uint32_t>(a[p]) + static_cast<uint32_t>(bias));
        out[p] = static_cast<int8_t>(requantize(biased, mult, shift, zp, lo, hi));
      }
    }
    if (table) lookup_row(table, out, out, n);
  }
}

void Machine::pool(const npu::Instr& in) {
  const bool avg = in[F::mode] == npu::kPoolAvg;
  const int64_t oh = in[F::out_h], ow = in[F::out_w], kh = in[F::kernel_h], kw = in[F::kernel_w];
  const int64_t r0 = in[F::valid_r0], r1 = in[F::valid_r1], c0 = in[F::valid_c0], c1 = in[F::valid_c1];
  const int64_t pitch = in[F::in_pitch];
  const int32_t xzp = static_cast<int32_t>(in[F::x_zp]);
  for (int64_t c = 0; c < in[F::c]; ++c) {
    const int8_t* x = ibuf.data() + in[F::in_addr] + c * in[F::in_chan_stride];
    int8_t* out = ibuf.data() + in[F::out_addr] + c * in[F::out_chan_stride];
    for (int64_t oy = 0; oy < oh; ++oy)
      for (int64_t ox = 0; ox < ow; ++ox) {
        const int64_t ya = std::max(r0, in[F::org_r] + oy * in[F::stride_h]);
        const int64_t yb = std::min(r1, in[F::org_r] + oy * in[F::stride_h] + kh);
        const int64_t xa = std::max(c0, in[F::org_c] + ox * in[F::stride_w]);
        const int64_t xb = std::min(c1, in[F::org_c] + ox * in[F::stride_w] + kw);
        int32_t v = avg ? 0 : -128;
        for (int64_t y = ya; y < yb; ++y)
          for (int64_t xx = xa; xx < xb; ++xx) {
            const int32_t e = x[y * pitch + xx];
            v = avg ? v + (e - xzp) : std::max(v, e);
          }
        if (avg)
          v = requantize(v, static_cast<int32_t>(in[F::mult]), static_cast<int>(in[F::shift]),
                         static_cast<int32_t>(in[F::y_zp]), static_cast<int32_t>(in[F::act_min]),
                         static_cast<int32_t>(in[F::act_max]));
        out[oy * ow + ox] = static_cast<int8_t>(v);
      }
  }
}

void Machine::add(const npu::Instr& in) {
  const int8_t* a = ibuf.data() + in[F::a_addr];
  const int8_t* b = ibuf.data() + in[F::b_addr];
  int8_t* y = ibuf.data() + in[F::out_addr];
  const int32_t azp = static_cast<int32_t>(in[F::a_zp]), bzp = static_cast<int32_t>(in[F::b_zp]);
  const int32_t ls = static_cast<int32_t>(in[F::left_shift]);
  const int32_t am = static_cast<int32_t>(in[F::a_mult]), bm = static_cast<int32_t>(in[F::b_mult]);
  const int as = static_cast<int>(in[F::a_shift]), bs = static_cast<int>(in[F::b_shift]);
  const int32_t ym = static_cast<int32_t>(in[F::mult]);
  const int ys = static_cast<int>(in[F::shift]);
  const int32_t yzp = static_cast<int32_t>(in[F::y_zp]), lo = static_cast<int32_t>(in[F::act_min]),
                hi = static_cast<int32_t>(in[F::act_max]);
  const int64_t n = in[F::n];  // read once: the int8 stores below may alias anything
  if (as <= 0 && bs <= 0 && ys <= 0) {
    // Right shifts only (the usual case): the vector rows, without mbqm's 128-bit path.
    add_row_right({azp, bzp, ls, am, bm, ym, yzp, lo, hi, as, bs, ys}, a, b, y, n);
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    const int32_t sa = mbqm((a[i] - azp) * (1 << ls), am, as);
    const int32_t sb = mbqm((b[i] - bzp) * (1 << ls), bm, bs);
    y[i] = static_cast<int8_t>(requantize(sa + sb, ym, ys, yzp, lo, hi));
  }
}

void Machine::lut(const npu::Instr& in) {
  lookup_row(wbuf.data() + in[F::table_addr], ibuf.data() + in[F::in_addr], ibuf.data() + in[F::out_addr], in[F::n]);
}

void Machine::copy(const npu::Instr& in) {
  std::memmove(ibuf.data() + in[F::out_addr], ibuf.data() + in[F::in_addr], in[F::n]);
}

ETCH_REGISTER_VECTOR_EXEC(npu::Opcode::Pool, [](Machine& m, const npu::Instr& in) { m.pool(in); });
ETCH_REGISTER_VECTOR_EXEC(npu::Opcode::Add, [](Machine& m, const npu::Instr& in) { m.add(in); });
ETCH_REGISTER_VECTOR_EXEC(npu::Opcode::Lut, [](Machine& m, const npu::Instr& in) { m.lut(in); });
ETCH_REGISTER_VECTOR_EXEC(npu::Opcode::Copy, [](Machine& m, const npu::Instr& in) { m.copy(in); });

}  // namespace etch::sim
