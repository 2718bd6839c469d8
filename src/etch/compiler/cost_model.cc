#include "etch/compiler/cost_model.h"

#include <algorithm>
#include <cmath>

#include "etch/compiler/conv_steps.h"
#include "etch/npu/footprint.h"

namespace etch::compiler {

Prefetch prefetch_of(const ConvSpec& s, const TilePlan& p, const npu::Target& t) {
  const LayerSteps steps = conv_prefetch_steps(s, p, t, make_schedule(s, p, t));
  Prefetch pf;
  for (int i = 0; i < steps.size(); ++i) {
    const LayerStep& st = steps[i];
    if (st.kind == StepKind::Preload) {
      pf.preload = npu::preload_cycles(st.kphys, t);
      continue;
    }
    pf.transfers.push_back(st.bytes);
    if (st.prefetch_group == 0) pf.first_group = pf.transfers.size();
  }
  return pf;
}

int64_t predict_conv_cycles(const ConvSpec& s, const TilePlan& p, const npu::Target& t) {
  return conv_timing(s, p, t).end;
}

LayerTiming conv_timing(const ConvSpec& s, const TilePlan& p, const npu::Target& t, const PrefetchArrival& in,
                        const Prefetch& trailing) {
  return conv_timing(s, p, t, make_schedule(s, p, t), in, trailing);
}

LayerTiming conv_timing(const ConvSpec& s, const TilePlan& p, const npu::Target& t, const Schedule& sc,
                        const PrefetchArrival& in, const Prefetch& trailing) {
  const PrefetchMode mode{in.prefetched, in.preloaded};
  return time_steps(conv_steps(s, p, t, sc, mode), t, in, trailing);
}

ConvBounds conv_bounds(const ConvSpec& s, const npu::Target& t) {
  ConvBounds b;
  const int64_t fk = fold_k(s, t), k0 = std::min(fk, s.kg());
  const int64_t folds = s.groups * npu::ceil_div(s.mg, t.cols) * npu::ceil_div(s.kg(), fk);
  const int64_t per_fold = npu::matmul_stream_cycles(s.oh * s.ow, k0, t);
  // Plus one array fill and drain: the first fold's weights shifted in
  // (weight-stationary) and the partial sums' way out.
  const int64_t weight_fill = t.dataflow == npu::Dataflow::WeightStationary ? npu::stored_k(k0, s.sparse) : 0;
  b.compute_cycles = folds * per_fold + weight_fill + npu::matmul_drain_cycles(std::min<int64_t>(s.mg, t.cols), t);
  const int64_t M = s.groups * s.mg;
  const int64_t wbytes = s.sparse ? M * (npu::sparse_value_bytes(s.kg()) + npu::sparse_meta_bytes(s.kg())) : M * s.kg();
  // The input and the output move through DRAM unless they stay on chip.
  b.dram_bytes = wbytes + s.params_bytes(M) + (s.in_image >= 0 ? 0 : s.groups * s.cg * s.h * s.w) +
                 (s.stores_output() ? M * s.oh * s.ow : 0);
  b.dram_cycles = static_cast<int64_t>(std::ceil(b.dram_bytes / t.dram_bytes_per_cycle));
  return b;
}

}  // namespace etch::compiler
