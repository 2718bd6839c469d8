// A conv/gemm layer: its weights and requantization parameters go to the
// weight image, then its step list is emitted.
#include "etch/compiler/emit_conv.h"

#include <cstring>
#include <map>
#include <utility>

#include "etch/compiler/conv_steps.h"
#include "etch/compiler/step_emitter.h"
#include "etch/core/error.h"
#include "etch/npu/footprint.h"

namespace etch::compiler {
namespace {

// Dense: [M][kg] as in ONNX. Sparse: per row, channel-innermost order
// compressed to 2 values per group of 4 plus one metadata byte per group.
void write_weights(ProgramBuilder& b, const ConvSpec& s, ConvPlace& w) {
  const int64_t M = s.groups * s.mg, kg = s.kg(), kk = s.kk();
  if (!s.sparse) {
    w.values = b.add_weights(s.weights.data(), s.weights.size());
  } else {
    const int64_t vrow = npu::sparse_value_bytes(kg), mrow = npu::sparse_meta_bytes(kg);  // per output channel
    std::vector<int8_t> vals(M * vrow), meta(M * mrow);
    for (int64_t m = 0; m < M; ++m)
      for (int64_t g = 0; g < mrow; ++g) {
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
        vals[m * vrow + 2 * g] = v[0];
        vals[m * vrow + 2 * g + 1] = v[1];
        meta[m * mrow + g] = static_cast<int8_t>(pos[0] | (pos[1] << 2));
      }
    w.values = b.add_weights(vals.data(), vals.size());
    w.meta = b.add_weights(meta.data(), meta.size());
  }
}

// Requantization parameters, one block per (group, channel tile).
void write_params(ProgramBuilder& b, const ConvSpec& s, const Schedule& sc, ConvPlace& w) {
  std::map<std::pair<int64_t, int64_t>, uint64_t> done;
  for (const OutTile& o : sc.tiles) {
    const auto key = std::make_pair(o.g, o.mi);
    if (!done.count(key)) {
      std::vector<uint8_t> blk(s.params_bytes(o.tm));
      for (int64_t i = 0; i < o.tm; ++i) {
        const int64_t m = o.g * s.mg + o.m0 + i;
        std::memcpy(&blk[npu::requant_bias_offset(o.tm, i)], &s.bias[m], 4);
        std::memcpy(&blk[npu::requant_mult_offset(o.tm, i)], &s.mult[m], 4);
        blk[npu::requant_shift_offset(o.tm, i)] = static_cast<uint8_t>(s.shift[m]);
      }
      if (!s.table.empty()) std::memcpy(&blk[npu::requant_table_offset(o.tm)], s.table.data(), npu::kTableBytes);
      done[key] = b.add_weights(blk.data(), blk.size());
    }
    w.param_addr.push_back(done[key]);
  }
}

}  // namespace

void emit_conv(ProgramBuilder& b, const ConvSpec& s, const TilePlan& plan, std::optional<size_t> early_barrier) {
  const npu::Target& t = b.target();
  const Schedule sc = make_schedule(s, plan, t);
  ConvPlace place;
  write_weights(b, s, place);
  write_params(b, s, sc, place);
  place.w_base = plan.weight_base;
  ETCH_CHECK(plan.prefetch_early == early_barrier.has_value() && !(plan.prefetch_early && plan.prefetch_preload))
      << s.name << ": a prefetch behind an earlier layer needs that layer's BARRIER, and moves no PRELOAD";
  emit_steps(b, conv_steps(s, plan, t, sc, PrefetchMode{plan.prefetch, plan.prefetch_preload}, &place), early_barrier);
}

}  // namespace etch::compiler
