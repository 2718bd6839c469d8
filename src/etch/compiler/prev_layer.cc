#include "etch/compiler/prev_layer.h"

#include <algorithm>
#include <deque>
#include <vector>

#include "etch/compiler/conv_steps.h"
#include "etch/compiler/schedule.h"
#include "etch/npu/vector_instr.h"

namespace etch::compiler {

using F = npu::Field;

PrevLayer conv_prev_layer(const ConvSpec& s, const TilePlan& p, const PrefetchArrival& in, int64_t end,
                          const npu::Target& t) {
  PrevLayer prev;
  prev.steps = conv_steps(s, p, t, make_schedule(s, p, t), PrefetchMode{in.prefetched, in.preloaded});
  prev.in = in;
  prev.end = end;
  prev.weight_lo = p.weight_base;
  prev.weight_hi = p.weight_base + weight_buffer_use(s, p, t);
  return prev;
}

std::optional<PrevLayer> vector_prev_layer(std::span<const npu::Instr> instrs, const npu::Target& t) {
  PrevLayer prev;
  bool loads_weights = false;
  // tokens[a][b]: the steps on queue a whose tokens queue b has yet to pop.
  std::deque<int> tokens[3][3];
  int round = 0;
  bool after_load = false;
  std::vector<int> deps;
  for (const npu::Instr& in : instrs) {
    LayerStep st;
    const bool dma = in.op == npu::Opcode::Load || in.op == npu::Opcode::Store;
    if (dma) {
      st.kind = in.op == npu::Opcode::Load ? StepKind::Load : StepKind::Store;
      st.bytes = in[F::rows] * in[F::row_bytes] * in[F::reps];
    } else if (const npu::VectorInstrDef* v = npu::find_vector_instr(in.op); v && v->elements) {
      st.kind = StepKind::Vector;
      st.n = v->elements(in);
      st.waits_for_array = in.op != npu::Opcode::Requant;  // as the simulator starts them
    } else {
      return std::nullopt;
    }
    if (in.op == npu::Opcode::Load && in[F::buf] == static_cast<int64_t>(npu::Buffer::Weight)) {
      const int64_t last = in[F::sram] + (in[F::rows] - 1) * in[F::sram_stride] +
                           (in[F::reps] - 1) * in[F::sram_rep_stride] + in[F::row_bytes];
      prev.weight_lo = loads_weights ? std::min(prev.weight_lo, in[F::sram]) : in[F::sram];
      prev.weight_hi = loads_weights ? std::max(prev.weight_hi, last) : last;
      loads_weights = true;
    }
    // A round is a group of loads and what follows them (the step timing
    // lets waiting stores compete with a round's loads).
    if (st.kind == StepKind::Load && !after_load) ++round;
    after_load = st.kind == StepKind::Load;
    st.round = round;
    const int q = static_cast<int>(step_queue(st.kind));
    deps.clear();
    for (const auto& [flag, from] : {std::pair{npu::kPopPrev, q - 1}, std::pair{npu::kPopNext, q + 1}}) {
      if (!(in.tokens & flag)) continue;
      if (from < 0 || from > 2 || tokens[from][q].empty()) return std::nullopt;
      deps.push_back(tokens[from][q].front());
      tokens[from][q].pop_front();
    }
    const int index = prev.steps.add(st, deps);
    if ((in.tokens & npu::kPushNext) && q < 2) tokens[q][q + 1].push_back(index);
    if ((in.tokens & npu::kPushPrev) && q > 0) tokens[q][q - 1].push_back(index);
  }
  prev.end = time_steps(prev.steps, t).end;
  return prev;
}

}  // namespace etch::compiler
