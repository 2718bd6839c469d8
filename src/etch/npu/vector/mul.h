// MUL's mode field (npu/vector/mul.cc): operand b has a's shape, or one value
// per channel (squeeze-and-excitation). Shared by the lowering that emits MUL,
// the simulator that executes it and the checks that read it.
#pragma once

namespace etch::npu {

constexpr int kMulSameShape = 0, kMulPerChannel = 1;

}  // namespace etch::npu
