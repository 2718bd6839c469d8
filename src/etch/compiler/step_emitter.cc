#include "etch/compiler/step_emitter.h"

#include <algorithm>

#include "etch/core/error.h"
#include "etch/npu/footprint.h"

namespace etch::compiler {
namespace {

using F = npu::Field;

// The step's footprint as its instruction states it must be what timing
// used: the cost model and the emitter cannot drift apart.
void check_footprint(const LayerStep& s, const npu::Instr& in, int index) {
  bool ok = step_queue(s.kind) == npu::queue_of(in);
  switch (s.kind) {
    case StepKind::Load:
    case StepKind::Store:
      ok = ok && in.op == (s.kind == StepKind::Load ? npu::Opcode::Load : npu::Opcode::Store) &&
           s.bytes == in[F::rows] * in[F::row_bytes] * in[F::reps];
      break;
    case StepKind::Preload:
      ok = ok && in.op == npu::Opcode::Preload && s.kphys == npu::stored_k(in[F::k], in[F::sparse] != 0);
      break;
    case StepKind::Matmul: {
      const bool sparse = in[F::k_order] == npu::kKOrderChannelInner;
      ok = ok && in.op == npu::Opcode::Matmul && s.m == in[F::m] && s.n == in[F::out_h] * in[F::out_w] &&
           s.kphys == npu::stored_k(in[F::k], sparse) && s.swap == (in[F::swap] != 0);
      break;
    }
    case StepKind::Vector:  // a REQUANT, or a POOL filling a halo (one-element windows)
      ok = ok && ((in.op == npu::Opcode::Requant && s.n == in[F::m] * in[F::n]) ||
                  (in.op == npu::Opcode::Pool && in[F::kernel_h] * in[F::kernel_w] == 1 &&
                   s.n == in[F::c] * in[F::out_h] * in[F::out_w]));
      break;
  }
  ETCH_CHECK(ok) << "step " << index << " does not match its instruction " << npu::format_instr(in);
}

}  // namespace

StepTokens derive_tokens(const LayerSteps& steps, bool skip_prefetch) {
  const int n = steps.size();
  StepTokens tk;
  tk.bits.assign(n, 0);
  tk.extra_pop_prev.assign(n, 0);
  tk.extra_pop_next.assign(n, 0);
  // covered[a][b]: the latest step on queue a whose token queue b has popped.
  int covered[3][3];
  for (auto& row : covered) std::fill(row, row + 3, -1);
  std::vector<int> deps;
  for (int i = 0; i < n; ++i) {
    const int b = static_cast<int>(step_queue(steps[i].kind));
    deps.assign(steps.deps(i).begin(), steps.deps(i).end());
    std::sort(deps.begin(), deps.end());
    int pops_prev = 0, pops_next = 0;
    for (int d : deps) {
      const int a = static_cast<int>(step_queue(steps[d].kind));
      if (a == b || d <= covered[a][b] || (skip_prefetch && steps[d].prefetch_group >= 0)) continue;
      ETCH_CHECK(a == b - 1 || a == b + 1) << "step " << i << " depends on step " << d << " two queues away";
      covered[a][b] = d;
      if (a == b - 1) {  // from the previous engine in load -> compute -> store
        tk.bits[d] |= npu::kPushNext;
        ++pops_prev;
      } else {
        tk.bits[d] |= npu::kPushPrev;
        ++pops_next;
      }
    }
    if (pops_prev > 0) tk.bits[i] |= npu::kPopPrev;
    if (pops_next > 0) tk.bits[i] |= npu::kPopNext;
    tk.extra_pop_prev[i] = static_cast<uint8_t>(std::max(0, pops_prev - 1));
    tk.extra_pop_next[i] = static_cast<uint8_t>(std::max(0, pops_next - 1));
  }
  return tk;
}

void emit_steps(ProgramBuilder& b, const LayerSteps& steps, std::optional<size_t> early_barrier) {
  ETCH_CHECK(steps.with_instrs()) << "emit_steps: steps without instructions";
  const int n = steps.size();
  const bool prefetch = n > 0 && steps[0].prefetch_group >= 0;
  StepTokens tk = derive_tokens(steps, early_barrier.has_value());
  if (prefetch && !early_barrier) b.reopen_barrier();
  const size_t first = b.size();
  for (int i = 0; i < n; ++i) {
    if (prefetch && i > 0 && steps[i - 1].prefetch_group >= 0 && steps[i].prefetch_group < 0) {
      if (early_barrier) {
        ETCH_CHECK(steps[i - 1].kind == StepKind::Load) << "a prefetch behind an earlier layer ends with a PRELOAD";
        b.at(b.size() - 1).tokens |= npu::kPushNext;
        b.emit(ProgramBuilder::sync(npu::Queue::Compute, npu::kPopPrev));
        b.move_before_barrier(*early_barrier, first);
      } else {
        b.barrier();
      }
    }
    const npu::Queue q = step_queue(steps[i].kind);
    for (int k = 0; k < tk.extra_pop_prev[i]; ++k) b.emit(ProgramBuilder::sync(q, npu::kPopPrev));
    for (int k = 0; k < tk.extra_pop_next[i]; ++k) b.emit(ProgramBuilder::sync(q, npu::kPopNext));
    check_footprint(steps[i], steps.instr(i), i);
    npu::Instr in = steps.instr(i);
    in.tokens = tk.bits[i];
    b.emit(in);
  }
  b.barrier();
}

}  // namespace etch::compiler
