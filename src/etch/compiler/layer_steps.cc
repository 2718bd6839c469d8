#include "etch/compiler/layer_steps.h"

#include "etch/core/error.h"

namespace etch::compiler {

npu::Queue step_queue(StepKind k) {
  switch (k) {
    case StepKind::Load:
      return npu::Queue::Load;
    case StepKind::Store:
      return npu::Queue::Store;
    default:
      return npu::Queue::Compute;
  }
}

int LayerSteps::add(const LayerStep& s, std::span<const int> deps, const npu::Instr* instr) {
  const int index = size();
  LayerStep step = s;
  step.dep_begin = static_cast<int>(dep_pool_.size());
  for (int d : deps) {
    ETCH_CHECK(d >= 0 && d < index) << "step " << index << " depends on step " << d << ", not an earlier one";
    dep_pool_.push_back(d);
  }
  step.dep_end = static_cast<int>(dep_pool_.size());
  steps_.push_back(step);
  if (with_instrs_) {
    ETCH_CHECK(instr != nullptr) << "step " << index << " has no instruction";
    instrs_.push_back(*instr);
  }
  return index;
}

}  // namespace etch::compiler
