// One layer's NPU schedule as an explicit list of steps: every DMA transfer,
// PRELOAD, MATMUL and vector op the layer issues, in program order, each on
// its engine's queue and with the earlier steps it depends on. The emitter
// turns the list into instructions (deriving the dependency tokens from the
// dependencies, step_emitter.h) and the cost model times the same list
// (step_timing.h), so what is predicted is what is emitted.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <span>
#include <vector>

#include "etch/core/huge_page_allocator.h"
#include "etch/npu/isa.h"

namespace etch::compiler {

enum class StepKind : uint8_t { Load, Store, Preload, Matmul, Vector };

// The queue (engine) a step's instruction is issued on.
npu::Queue step_queue(StepKind k);

struct LayerStep {
  StepKind kind = StepKind::Load;
  // Pipeline round (a conv layer's iteration): the stores still waiting for
  // the DRAM channel compete with a round's loads when the round starts.
  int round = 0;
  // >= 0: part of the layer's prefetch, issued before the BARRIER that opens
  // the layer, in token group `prefetch_group` (its timing is the previous
  // layer's business: the arrival gives when each group is in).
  int prefetch_group = -1;
  bool swap = true;  // MATMUL: swaps in the preloaded weights (false: keeps the array's)
  // A vector op other than REQUANT: like the simulator, it starts only once
  // the array has streamed what it was given (both read the input buffer).
  bool waits_for_array = false;
  // Footprint (npu/footprint.h): DMA bytes; PRELOAD kphys; MATMUL m columns,
  // kphys reductions and n pixels; vector op n elements.
  int64_t bytes = 0, m = 0, kphys = 0, n = 0;
  int dep_begin = 0, dep_end = 0;  // into LayerSteps::dep_pool
};

class LayerSteps {
 public:
  // With instructions: every step carries the instruction it emits (without
  // token bits); without, only what timing needs.
  explicit LayerSteps(bool with_instrs) : with_instrs_(with_instrs) {}
  bool with_instrs() const { return with_instrs_; }

  // Appends a step that depends on the earlier steps `deps`; returns its index.
  // `instr` is required with instructions and ignored without.
  int add(const LayerStep& s, std::span<const int> deps, const npu::Instr* instr = nullptr);
  int add(const LayerStep& s, std::initializer_list<int> deps, const npu::Instr* instr = nullptr) {
    return add(s, std::span<const int>(deps.begin(), deps.size()), instr);
  }

  void reserve(size_t steps, size_t deps) {
    steps_.reserve(steps);
    dep_pool_.reserve(deps);
    if (with_instrs_) instrs_.reserve(steps);
  }

  int size() const { return static_cast<int>(steps_.size()); }
  const LayerStep& operator[](int i) const { return steps_[i]; }
  std::span<const int> deps(int i) const {
    return {dep_pool_.data() + steps_[i].dep_begin, dep_pool_.data() + steps_[i].dep_end};
  }
  const npu::Instr& instr(int i) const { return instrs_[i]; }

 private:
  bool with_instrs_;
  std::vector<LayerStep, HugePageAllocator<LayerStep>> steps_;
  std::vector<int, HugePageAllocator<int>> dep_pool_;
  std::vector<npu::Instr, HugePageAllocator<npu::Instr>> instrs_;
};

}  // namespace etch::compiler
