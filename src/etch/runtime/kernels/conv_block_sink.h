// Where a convolution cut into blocks of output channels × bands of output
// positions puts each block, and what runs once a block is written: the
// contract between the oneDNN block plan (onednn_conv_plan.h) and the fp32
// and int8 kernels that give it their outputs and epilogues.
#pragma once
#include <cstdint>
#include <functional>

namespace etch::runtime {

// dst(n, oc0): where image n's output channels from oc0 on go (planes of the
// output's positions, consecutive). finish(...): positions [p0, p1) of
// channels [oc0, oc1) are written at `planes` (= dst(n, oc0)).
template <typename D>
struct BlockSink {
  std::function<D*(int64_t n, int64_t oc0)> dst;
  std::function<void(int64_t n, int64_t oc0, int64_t oc1, int64_t p0, int64_t p1, D* planes)> finish;
};

}  // namespace etch::runtime
