// Where a layer's output channels go. Channel pruning may only remove an output
// channel if every place that reads it can drop it too: BatchNormalization,
// per-channel activations and pooling pass channels through, depthwise convs
// pass them through (their own channels are tied to their input's), Concat
// offsets them, Flatten/Reshape→Gemm widens each into H·W features, and a
// residual Add ties the channel spaces of its two inputs so they are pruned
// together. A space that reaches anything else (a graph output, Softmax, a
// grouped conv, an Add with an unprunable operand) is blocked, and the layers
// feeding it are skipped with a reason.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "etch/compress/layers.h"

namespace etch::compress {

// A run of `count` channels of one space (a layer index, or -1 for channels no
// pruning touches), each spread over `inner` consecutive features.
struct Segment {
  int space = -1;
  int64_t count = 0;
  int64_t inner = 1;
};
using Flow = std::vector<Segment>;

struct ChannelGroup {
  std::vector<int> layers;  // indices into the layer list; pruned with one channel set
  int64_t channels = 0;
};

struct ChannelPlan {
  std::vector<ChannelGroup> groups;    // prunable groups
  std::vector<int> group_of;           // per layer: group index or -1
  std::map<int, std::string> skipped;  // layer index -> why it is not pruned
  std::vector<Flow> flow;              // per value
  std::vector<int> root;               // per layer: union-find root space
};

// Throws nothing for unprunable graphs: layers simply end up in `skipped`.
ChannelPlan plan_channels(const ir::Graph& g, const std::vector<Layer>& layers);

// Moves every group of more than one layer (channels tied by a residual Add)
// to `skipped`, naming the layers it is tied to, and renumbers the rest.
void skip_tied_groups(ChannelPlan& plan, const std::vector<Layer>& layers);

// keep[group] = sorted channel indices kept. Per value, the kept feature
// indices along axis 1 (empty optional-like: all kept -> returns false).
bool kept_features(const ChannelPlan& plan, const std::vector<std::vector<int64_t>>& keep, ir::ValueId v,
                   std::vector<int64_t>& out);

// Removes the channels not kept: layer weights/biases along the output axis,
// BatchNorm and depthwise parameters on the way, and the matching input
// channels/features of every consumer; then re-infers shapes. The graph keeps
// its inputs and outputs.
void remove_channels(ir::Graph& g, const std::vector<Layer>& layers, const ChannelPlan& plan,
                     const std::vector<std::vector<int64_t>>& keep);

// 0/1 masks that zero the pruned channels in place (weights, biases, and the
// BatchNorm scale/shift and depthwise parameters on their way), for gradual
// pruning during fine-tuning before the surgery.
std::map<ir::ValueId, Tensor> channel_masks(const ir::Graph& g, const std::vector<Layer>& layers,
                                            const ChannelPlan& plan, const std::vector<std::vector<int64_t>>& keep);

// Copy of t keeping `idx` along `axis`.
Tensor take_along(const Tensor& t, int axis, const std::vector<int64_t>& idx);

}  // namespace etch::compress
