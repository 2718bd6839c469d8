// What the fp32 and the int8 oneDNN convolution paths share: a 2-D conv cut
// into fixed blocks of output channels × bands of output rows per image,
// one oneDNN primitive per distinct (band geometry, block width), cached per
// shape, and the loop that runs every block on one etch thread. The blocks
// depend only on the shapes, so results never depend on the thread count.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "etch/runtime/kernels/conv_block_sink.h"
#include "oneapi/dnnl/dnnl.hpp"

namespace etch::runtime::onednn {

// bench_conv_layers: 64 channels per call is 10-25% faster than 16 or 32.
// Bands give the threads work when a layer has few channels: one band per
// kBandPositions outputs per channel, more (down to kMinBandPositions outputs
// each; a call costs a few microseconds) until an image is at least kMinItems
// calls, and at most kMaxBands.
constexpr int64_t kChannelBlock = 64;
constexpr int64_t kBandPositions = 1024;
constexpr int64_t kMaxBands = 8;
constexpr int64_t kMinItems = 4;
constexpr int64_t kMinBandPositions = 256;
// Below this many input channels a convolution reads plain NCHW input where
// oneDNN has a kernel for it (make_prim says why).
constexpr int64_t kFirstLayerChannels = 16;

// A 2-D convolution of NCHW tensors with OIHW weights, and its element types
// (f32/f32/f32, or u8|s8/s8/s32 for integer sums).
struct Conv2d {
  int64_t c, m, in_h, in_w, out_h, out_w, k_h, k_w, s_h, s_w, d_h, d_w, p_t, p_l;
  dnnl::memory::data_type src, wei, dst;
};

// One band of output rows [r0, r1): the input rows it reads (a view of the
// NCHW input) and its top/bottom padding.
struct Band {
  int64_t r0, r1, row0, rows, pad_t, pad_b;
};

// A layout change whose scratchpad the caller passes (scratchpad_mode user),
// so that threads running it at once share nothing. With the library's own
// scratchpad they shared one: the int8 weight reorder's compensation sums
// raced, and int8 convolutions gave other bytes from run to run on 2 threads.
struct Reorder {
  dnnl::reorder prim;
  dnnl::memory::desc scratch;
};

// One oneDNN convolution and the reorders between etch's NCHW/OIHW tensors
// and the layouts oneDNN chose for it. user_src and user_dst describe a band
// as a dense NCHW tensor: run_plan copies it out of and into the image.
struct Prim {
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward conv;
  dnnl::memory::desc user_src, user_wei, user_dst;
  std::unique_ptr<Reorder> src_in, wei_in, dst_out;  // null: layouts equal
  size_t layout = 0;                                 // index of pd.weights_desc() in Plan::layouts
};

// Bands of one layer may get different kernels (oneDNN picks its Winograd
// F(4,3) or F(2,3) by the band's size), and so different weight layouts:
// reorder_weights fills one slot per (layout, block of output channels).
struct Plan {
  std::vector<Band> bands;
  int64_t blocks = 0;
  std::map<std::array<int64_t, 5>, std::unique_ptr<Prim>> prims;
  std::vector<dnnl::memory::desc> layouts;  // the distinct weight layouts of `prims`
  size_t slot_bytes = 0;                    // the largest, rounded up to 64 bytes
  const Prim& prim(const Band& b, int64_t m) const { return *prims.at({b.r1 - b.r0, b.rows, b.pad_t, b.pad_b, m}); }
  size_t slot_offset(size_t layout, int64_t block) const {
    return (layout * static_cast<size_t>(blocks) + static_cast<size_t>(block)) * slot_bytes;
  }
};

// The plan for a conv shape, or null where oneDNN has no implementation for
// it. Plans are cached (at most 256 shapes; callers hold theirs while the
// cache is cleared).
std::shared_ptr<const Plan> plan_for(const Conv2d& v);

// The weights w [m × c × k_h × k_w] in the layouts the plan's convolutions
// take, one 64-byte aligned slot per layout and block of output channels
// (Plan::slot_offset; for int8 a slot holds the compensation sums oneDNN keeps
// too). A slot whose layout no kernel of that block's width uses stays empty.
template <typename W>
std::vector<uint8_t> reorder_weights(const Plan& plan, const Conv2d& v, const W* w);

// Runs the plan: x is batch × [c × in_h × in_w], w is [m × c × k_h × k_w].
// `reordered`: reorder_weights(plan, v, w) made earlier (a constant layer's),
// or null to reorder them in this call.
template <typename S, typename W, typename D>
void run_plan(const Plan& plan, const Conv2d& v, int64_t batch, const S* x, const W* w, const BlockSink<D>& sink,
              const uint8_t* reordered = nullptr);

}  // namespace etch::runtime::onednn
