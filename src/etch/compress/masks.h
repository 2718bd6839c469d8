// Turning scores into what is kept: 0/1 masks for unstructured and N:M
// pruning, kept-channel lists for channel pruning. Ties break by index so the
// result never depends on sort stability or thread count.
//
// Global scope: every layer's scores are divided by their root-mean-square
// first (a layer's scale says nothing about its importance), then one threshold
// is taken across all layers; no layer keeps fewer than `min_channels` output
// channels (unstructured: the weight count of that many channels).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "etch/compress/channel_flow.h"
#include "etch/compress/criteria.h"
#include "etch/compress/prune_options.h"

namespace etch::compress {

using MaskSet = std::map<ir::ValueId, Tensor>;  // f32 0/1, shape of the constant

MaskSet unstructured_masks(const std::vector<Layer>& layers, const Scores& s, double sparsity, Scope scope,
                           int64_t min_channels);

// Keeps the n highest-scoring of every m consecutive input channels at each
// (output channel, kernel position). Layers with fewer than m input channels
// per group are skipped (their names go to `skipped`); a layer whose input
// channel count is not a multiple of m is an InvalidInput error naming it.
MaskSet nm_masks(const std::vector<Layer>& layers, const Scores& s, int64_t n, int64_t m,
                 std::vector<std::string>* skipped);

// Per channel group of the plan: the sorted channels kept.
std::vector<std::vector<int64_t>> select_channels(const std::vector<Layer>& layers, const ChannelPlan& plan,
                                                  const Scores& s, double sparsity, Scope scope, int64_t min_channels);

// w *= mask for every masked constant of g (in place: Autodiff parameters share
// the storage, so this is what the after-step hook calls).
void apply_masks(ir::Graph& g, const MaskSet& masks);

}  // namespace etch::compress
