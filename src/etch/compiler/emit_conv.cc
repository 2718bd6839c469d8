// Per iteration: loads (input tile, weight tile + requantization parameters),
// then for every (output-channel fold, reduction fold) a PRELOAD and a MATMUL.
// With double buffering the requantization of tile t is emitted after tile
// t+D's first iteration (D = output slots - 1), so the array drains while it
// computes the next tiles.
#include "etch/compiler/emit_conv.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <utility>

#include "etch/compiler/schedule.h"
#include "etch/core/error.h"

namespace etch::compiler {
namespace {

using npu::Field;
using npu::Instr;
using npu::Opcode;
using F = Field;

// Dense: [M][kg] as in ONNX. Sparse: per row, channel-innermost order
// compressed to 2 values per group of 4 plus one metadata byte per group.
WeightPlace write_weights(ProgramBuilder& b, const ConvSpec& s) {
  WeightPlace w;
  const int64_t M = s.groups * s.mg, kg = s.kg(), kk = s.kk();
  if (!s.sparse) {
    w.values = b.add_weights(s.weights.data(), s.weights.size());
  } else {
    std::vector<int8_t> vals(M * kg / 2), meta(M * kg / 4);
    for (int64_t m = 0; m < M; ++m)
      for (int64_t g = 0; g < kg / 4; ++g) {
        // Group g covers k' = 4g..4g+3, i.e. kernel position r = 4g / cg and channels c..c+3.
        const int64_t r = (4 * g) / s.cg, c = (4 * g) % s.cg;
        int8_t v[2] = {0, 0};
        int pos[2] = {0, 1}, n = 0;
        for (int j = 0; j < 4; ++j) {
          const int8_t x = s.weights[m * kg + (c + j) * kk + r];
          if (x != 0) {
            ETCH_CHECK(n < 2) << "layer " << s.name << " is not 2:4 sparse";
            v[n] = x;
            pos[n++] = j;
          }
        }
        if (n == 1) pos[1] = pos[0] == 0 ? 1 : 0;  // a zero in a distinct slot
        vals[m * kg / 2 + 2 * g] = v[0];
        vals[m * kg / 2 + 2 * g + 1] = v[1];
        meta[m * kg / 4 + g] = static_cast<int8_t>(pos[0] | (pos[1] << 2));
      }
    w.values = b.add_weights(vals.data(), vals.size());
    w.meta = b.add_weights(meta.data(), meta.size());
  }
  return w;
}

}  // namespace

std::vector<std::vector<Instr>> weight_loads(const ConvSpec& s, const Schedule& sc, const Iteration& it,
                                             const npu::Target& t, const WeightPlace& w) {
  const OutTile& o = sc.tiles[it.tile];
  const int64_t kg = s.kg(), kk = s.kk(), fk = fold_k(s, t);
  const int64_t wslot = w.w_base + it.w_slot * sc.sizes.w, ktile = it.tc * kk, row0 = o.g * s.mg + o.m0;
  std::vector<std::vector<Instr>> chunks;
  for (int64_t mf = 0; mf < o.tm; mf += t.cols) {
    const int64_t mc = std::min<int64_t>(t.cols, o.tm - mf);
    for (int64_t kf = 0; kf < ktile; kf += fk) {
      const int64_t kc = std::min(fk, ktile - kf);
      std::vector<Instr> chunk;
      if (s.sparse) {
        chunk.push_back(ProgramBuilder::dma(Opcode::Load, npu::Buffer::Weight,
                                            w.values + (row0 + mf) * (kg / 2) + kf / 2, wslot + mf * (kg / 2) + kf / 2,
                                            mc, kc / 2, kg / 2, kg / 2));
        chunk.push_back(ProgramBuilder::dma(Opcode::Load, npu::Buffer::Weight, w.meta + (row0 + mf) * (kg / 4) + kf / 4,
                                            wslot + sc.sizes.w_values + mf * (kg / 4) + kf / 4, mc, kc / 4, kg / 4,
                                            kg / 4));
      } else {
        chunk.push_back(ProgramBuilder::dma(Opcode::Load, npu::Buffer::Weight,
                                            w.values + (row0 + mf) * kg + it.c0 * kk + kf, wslot + mf * ktile + kf, mc,
                                            kc, kg, ktile));
      }
      chunks.push_back(std::move(chunk));
    }
  }
  return chunks;
}

Instr param_load(uint64_t dram, int64_t sram, int64_t tm) {
  // bias[tm] int32, multiplier[tm] int32, shift[tm] int8
  return ProgramBuilder::dma(Opcode::Load, npu::Buffer::Weight, static_cast<int64_t>(dram), sram, 1, 9 * tm, 0, 0);
}

std::vector<std::vector<Instr>> prefetch_loads(const std::vector<std::vector<Instr>>& weights, const Instr& params) {
  std::vector<std::vector<Instr>> out(weights.size() > 1 ? 2 : 1);
  auto add = [&](const Instr& d, std::vector<Instr>& group) {
    for (Instr piece : ProgramBuilder::split_dma(d, kPrefetchPieceBytes)) {
      piece[F::background] = 1;
      group.push_back(piece);
    }
  };
  for (size_t c = 0; c < weights.size(); ++c)
    for (const Instr& d : weights[c]) add(d, out[c == 0 ? 0 : 1]);
  add(params, out.back());
  return out;
}

void emit_conv(ProgramBuilder& b, const ConvSpec& s, const TilePlan& plan) {
  const npu::Target& t = b.target();
  const Schedule sc = make_schedule(s, plan, t);
  const SlotSizes& z = sc.sizes;
  WeightPlace wp = write_weights(b, s);
  wp.w_base = plan.weight_base;
  // Requantization parameters, one block per (group, channel tile):
  // bias[tm] int32, multiplier[tm] int32, shift[tm] int8.
  std::vector<uint64_t> param_addr(sc.tiles.size());
  {
    std::map<std::pair<int64_t, int64_t>, uint64_t> done;
    for (size_t ti = 0; ti < sc.tiles.size(); ++ti) {
      const OutTile& o = sc.tiles[ti];
      const auto key = std::make_pair(o.g, o.mi);
      if (!done.count(key)) {
        std::vector<uint8_t> blk(9 * o.tm);
        for (int64_t i = 0; i < o.tm; ++i) {
          const int64_t m = o.g * s.mg + o.m0 + i;
          std::memcpy(&blk[4 * i], &s.bias[m], 4);
          std::memcpy(&blk[4 * o.tm + 4 * i], &s.mult[m], 4);
          blk[8 * o.tm + i] = static_cast<uint8_t>(s.shift[m]);
        }
        done[key] = b.add_weights(blk.data(), blk.size());
      }
      param_addr[ti] = done[key];
    }
  }
  const int slots = sc.slots, S = sc.out_slots;
  const int64_t param_base = wp.w_base + slots * z.w;
  const int64_t P = s.in.pad, pitch = s.in.pitch(), kg = s.kg(), kk = s.kk();
  const int64_t x_base = 0, out_base = slots * z.x;
  const int64_t fk = fold_k(s, t);
  // An iteration that later loads wait for pushes a token from its last
  // MATMUL (its input and weight slots are read) and, when requantizations
  // follow it, one from the last of those (their parameter slots are read):
  // the vector unit and the array run side by side, so neither ends last
  // for sure.
  std::vector<int> waited;
  for (const Iteration& it : sc.iters)
    if (it.wait_iter >= 0) waited.push_back(it.wait_iter);
  std::sort(waited.begin(), waited.end());
  waited.erase(std::unique(waited.begin(), waited.end()), waited.end());
  std::vector<std::pair<int, int>> needed;
  for (int j : waited) needed.push_back({j, sc.iters[j].requants.empty() ? 1 : 2});
  LoadWaits waits(needed);
  const int T = static_cast<int>(sc.tiles.size());

  auto requant_and_store = [&](int ti) {
    const OutTile& o = sc.tiles[ti];
    const int64_t n = o.th * s.ow;
    Instr rq;
    rq.op = Opcode::Requant;
    rq[F::acc_addr] = o.slot * z.acc_entries;
    rq[F::acc_pitch] = n;
    rq[F::m] = o.tm;
    rq[F::n] = n;
    rq[F::param_addr] = param_base + o.param_slot * z.params;
    rq[F::out_addr] = out_base + o.slot * z.out;
    rq[F::out_chan_stride] = n;
    rq[F::y_zp] = s.y_zp;
    rq[F::act_min] = s.act_min;
    rq[F::act_max] = s.act_max;
    rq.tokens = npu::kPushNext | (ti >= S ? npu::kPopNext : 0);
    const size_t rq_index = b.emit(rq);
    const npu::TensorDesc& d = s.out;
    Instr st =
        ProgramBuilder::dma(Opcode::Store, npu::Buffer::Input,
                            d.dram_addr + (o.g * s.mg + o.m0) * d.chan_stride() + (o.oy0 + d.pad) * d.pitch() + d.pad,
                            rq[F::out_addr], o.th, s.ow, d.pitch(), s.ow, o.tm, d.chan_stride(), n);
    st.tokens = npu::kPopPrev | (ti + S < T ? npu::kPushPrev : 0);
    b.emit(st);
    return rq_index;
  };

  auto tile_params = [&](const Iteration& it) {
    const OutTile& o = sc.tiles[it.tile];
    return param_load(param_addr[it.tile], param_base + o.param_slot * z.params, o.tm);
  };

  // The PRELOAD of fold (mf, kf) of iteration `it` (the caller sets its tokens).
  auto preload = [&](const Iteration& it, int64_t mf, int64_t kf) {
    const OutTile& o = sc.tiles[it.tile];
    const int64_t ktile = it.tc * kk, wpitch = s.sparse ? kg / 2 : ktile, wslot = wp.w_base + it.w_slot * z.w;
    Instr pl;
    pl.op = Opcode::Preload;
    pl[F::w_addr] = wslot + mf * wpitch + (s.sparse ? kf / 2 : kf);
    pl[F::w_pitch] = wpitch;
    pl[F::m] = std::min<int64_t>(t.cols, o.tm - mf);
    pl[F::k] = std::min(fk, ktile - kf);
    if (s.sparse) {
      pl[F::sparse] = 1;
      pl[F::meta_addr] = wslot + z.w_values + mf * (kg / 4) + kf / 4;
      pl[F::meta_pitch] = kg / 4;
    }
    return pl;
  };

  if (plan.prefetch) {
    // The first iteration's weights and parameters load during the previous
    // layer's tail (after its last load, before the BARRIER between the two),
    // and optionally the first fold's PRELOAD ends its compute queue.
    b.reopen_barrier();
    const Iteration& first = sc.iters.front();
    auto chunks = weight_loads(s, sc, first, t, wp);
    chunks.resize(plan.prefetched_folds(static_cast<int64_t>(chunks.size())));
    b.load_groups(prefetch_loads(chunks, tile_params(first)), 0);
    if (plan.prefetch_preload) {
      Instr pl = preload(first, 0, 0);
      pl.tokens = npu::kPopPrev;
      b.emit(pl);
    }
    b.barrier();
  }

  for (size_t i = 0; i < sc.iters.size(); ++i) {
    const Iteration& it = sc.iters[i];
    const OutTile& o = sc.tiles[it.tile];
    const int64_t rin = s.rows_in(o.th), x_chan = rin * pitch;
    // Loads: the first fold's weights, then the input tile and parameters,
    // then the other folds' weights; every group pushes a token, so the
    // PRELOAD of the first fold overlaps the input's transfer. A prefetched
    // first iteration's first folds and parameters were issued before the
    // layer's BARRIER (prefetch_loads' groups); its other folds follow the input.
    const bool prefetched = i == 0 && plan.prefetch;
    int64_t skip_folds = 0;        // prefetched folds
    bool prefetch_second = false;  // the prefetch's second token is still to pop
    std::vector<Instr> xdmas;
    if (it.load_x) {
      const int64_t r0 = o.oy0 * s.sh - s.pad_t + P;
      xdmas.push_back(ProgramBuilder::dma(Opcode::Load, npu::Buffer::Input,
                                          s.in.dram_addr + (o.g * s.cg + it.c0) * s.in.chan_stride() + r0 * pitch,
                                          x_base + it.x_slot * z.x, it.tc, x_chan, s.in.chan_stride(), x_chan));
    }
    const int64_t ktile = it.tc * kk;  // reduction length of this iteration (sparse: tc == cg)
    if (it.load_params && !prefetched) xdmas.push_back(tile_params(it));
    const bool x_group = !xdmas.empty();
    std::vector<std::vector<Instr>> groups;
    if (it.load_w) {
      auto chunks = weight_loads(s, sc, it, t, wp);
      if (prefetched) {
        skip_folds = plan.prefetched_folds(static_cast<int64_t>(chunks.size()));
        prefetch_second = skip_folds > 1;
        groups.push_back(xdmas);
      }
      for (size_t c = skip_folds; c < chunks.size(); ++c) {
        groups.push_back(std::move(chunks[c]));
        if (groups.size() == 1 && x_group) groups.push_back(xdmas);
      }
    } else {
      groups.push_back(xdmas);
    }
    b.load_groups(std::move(groups), waits.pops_for(it.wait_iter));
    // Compute.
    size_t last = 0;
    bool first = true;
    int64_t fold = 0;
    const int64_t n = o.th * s.ow;
    for (int64_t mf = 0; mf < o.tm; mf += t.cols) {
      const int64_t mc = std::min<int64_t>(t.cols, o.tm - mf);
      for (int64_t kf = 0; kf < ktile; kf += fk) {
        const int64_t kc = std::min(fk, ktile - kf);
        // Tokens: each weight chunk is popped by its PRELOAD (a prefetch's one
        // token by the first), the input group by the first MATMUL, or by the
        // first PRELOAD when no weights load.
        const bool pop_x = first && x_group;
        const bool x_on_preload = pop_x && !it.load_w && !it.reuse_array_weights;
        const bool own_chunk = !prefetched || first || fold >= skip_folds;
        ++fold;
        if (!it.reuse_array_weights && !(prefetched && first && plan.prefetch_preload)) {
          Instr pl = preload(it, mf, kf);
          if ((it.load_w && own_chunk) || x_on_preload) pl.tokens |= npu::kPopPrev;
          b.emit(pl);
        }
        if (std::exchange(prefetch_second, false))
          b.emit(ProgramBuilder::sync(npu::Queue::Compute, npu::kPopPrev));  // the other prefetched folds
        Instr mm;
        mm.op = Opcode::Matmul;
        mm[F::x_addr] = x_base + it.x_slot * z.x + (P - s.pad_l);
        mm[F::x_chan_stride] = x_chan;
        mm[F::x_pitch] = pitch;
        mm[F::acc_addr] = o.slot * z.acc_entries + mf * n;
        mm[F::acc_pitch] = n;
        mm[F::m] = mc;
        mm[F::k] = kc;
        mm[F::k0] = kf;
        mm[F::out_h] = o.th;
        mm[F::out_w] = s.ow;
        mm[F::stride_h] = s.sh;
        mm[F::stride_w] = s.sw;
        mm[F::kernel_h] = s.kh;
        mm[F::kernel_w] = s.kw;
        mm[F::dil_h] = s.dh;
        mm[F::dil_w] = s.dw;
        mm[F::c] = it.tc;
        mm[F::k_order] = s.sparse ? npu::kKOrderChannelInner : npu::kKOrderChannelOuter;
        mm[F::accumulate] = (it.ci > 0 || kf > 0) ? 1 : 0;
        mm[F::swap] = it.reuse_array_weights ? 0 : 1;
        if (pop_x && !x_on_preload) mm.tokens |= npu::kPopPrev;
        first = false;
        last = b.emit(mm);
      }
    }
    const size_t last_matmul = last;
    for (int rt : it.requants) last = requant_and_store(rt);
    if (waits.compute_pushes_after(static_cast<int>(i))) {
      b.at(last_matmul).tokens |= npu::kPushPrev;
      if (last != last_matmul) b.at(last).tokens |= npu::kPushPrev;
    }
  }
  b.barrier();
}

}  // namespace etch::compiler
