// Channel surgery: the smaller dense graph computes exactly what the original
// computes with the pruned channels zeroed (weights, bias and the BatchNorm
// scale/shift behind them), through BatchNorm, ReLU, pooling, Concat,
// Flatten→Gemm, residual Adds (tied channels) and depthwise convs.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <set>

#include "etch/compress/channel_flow.h"
#include "etch/compress/masks.h"
#include "etch/ir/builder.h"
#include "etch/ir/cost.h"
#include "etch/ir/verifier.h"
#include "etch/runtime/interpreter.h"
#include "etch/train/zoo.h"

namespace etch::compress {
namespace {

// Random parameters everywhere (BatchNorm variances positive) so that a wrong
// slice shows up in the numbers.
void randomize(ir::Graph& g, uint64_t seed) {
  ir::Rng rng(seed);
  std::set<ir::ValueId> variances;
  for (const auto& n : g.nodes())
    if (n.op_type == "BatchNormalization") variances.insert(n.inputs[4]);
  for (int v = 0; v < g.num_values(); ++v) {
    auto& val = g.value(v);
    if (!val.data || val.data->dtype() != DType::F32 || val.data->numel() < 2) continue;
    const bool var = variances.count(v) > 0;
    for (int64_t i = 0; i < val.data->numel(); ++i)
      val.data->data<float>()[i] = var ? rng.uniform(0.5f, 1.5f) : rng.uniform(-0.5f, 0.5f);
  }
}

Tensor input(Shape s, uint64_t seed) {
  Tensor t(DType::F32, s);
  ir::Rng rng(seed);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = rng.uniform(0.0f, 1.0f);
  return t;
}

// Drops channels 1, 4, 7, ... of every group.
std::vector<std::vector<int64_t>> every_third(const ChannelPlan& plan) {
  std::vector<std::vector<int64_t>> keep(plan.groups.size());
  for (size_t gi = 0; gi < plan.groups.size(); ++gi)
    for (int64_t c = 0; c < plan.groups[gi].channels; ++c)
      if (c % 3 != 1) keep[gi].push_back(c);
  return keep;
}

// Surgery == masking, and the graph shrinks but keeps its interface.
// `adjust` may change the plan first (e.g. skip_tied_groups).
void expect_exact_surgery(const ir::Graph& g, const Tensor& x,
                          const std::function<void(ChannelPlan&, const std::vector<Layer>&)>& adjust = nullptr) {
  const std::vector<Layer> layers = find_layers(g);
  ChannelPlan plan = plan_channels(g, layers);
  if (adjust) adjust(plan, layers);
  ASSERT_FALSE(plan.groups.empty());
  const auto keep = every_third(plan);
  ir::Graph masked = clone_graph(g);
  apply_masks(masked, channel_masks(masked, layers, plan, keep));
  ir::Graph pruned = clone_graph(g);
  remove_channels(pruned, layers, plan, keep);
  ir::verify(pruned);
  const Tensor want = runtime::Interpreter(masked).run({x})[0];
  const Tensor got = runtime::Interpreter(pruned).run({x})[0];
  ASSERT_EQ(want.shape(), got.shape());
  double max_err = 0, max_abs = 0;
  for (int64_t i = 0; i < want.numel(); ++i) {
    max_err = std::max(max_err, static_cast<double>(std::fabs(want.data<float>()[i] - got.data<float>()[i])));
    max_abs = std::max(max_abs, static_cast<double>(std::fabs(want.data<float>()[i])));
  }
  EXPECT_LE(max_err, 1e-4 * std::max(1.0, max_abs));
  EXPECT_GT(max_abs, 0.0);
  // and masking really changed the function (the test would be vacuous otherwise)
  const Tensor orig = runtime::Interpreter(g).run({x})[0];
  double diff = 0;
  for (int64_t i = 0; i < orig.numel(); ++i) diff += std::fabs(orig.data<float>()[i] - want.data<float>()[i]);
  EXPECT_GT(diff, 1e-3);
  EXPECT_LT(ir::graph_cost(pruned).macs, ir::graph_cost(g).macs);
  ASSERT_EQ(pruned.inputs.size(), g.inputs.size());
  ASSERT_EQ(pruned.outputs.size(), g.outputs.size());
  EXPECT_EQ(pruned.value(pruned.inputs[0]).name, g.value(g.inputs[0]).name);
  EXPECT_EQ(pruned.value(pruned.outputs[0]).name, g.value(g.outputs[0]).name);
  EXPECT_EQ(pruned.value(pruned.outputs[0]).shape, g.value(g.outputs[0]).shape);
}

const Layer* layer_named(const std::vector<Layer>& layers, const std::string& name) {
  for (const auto& l : layers)
    if (l.name == name) return &l;
  return nullptr;
}

TEST(ChannelSurgery, ChainWithBatchNormPoolingConcatAndFlattenGemm) {
  ir::GraphBuilder b("chain", 1);
  ir::ValueId x = b.input("x", {2, 1, 12, 12});
  ir::ValueId a = b.maxpool(b.relu(b.batchnorm(b.conv(x, 8, 3, 1, 1, 1, true, "a"), "a_bn")), 2, 2);
  ir::ValueId p = b.relu(b.batchnorm(b.conv(a, 6, 3, 1, 1, 1, false, "b"), "b_bn"));
  ir::ValueId q = b.relu(b.conv(a, 4, 1, 1, 0, 1, true, "c"));
  ir::ValueId cat = b.op("Concat", {p, q}, {{"axis", int64_t{1}}});
  ir::ValueId d = b.relu(b.conv(cat, 5, 3, 2, 1, 1, true, "d"));
  b.output(b.gemm(b.flatten(d), 3, "fc"), "y");
  ir::Graph g = b.finish();
  randomize(g, 3);
  const auto layers = find_layers(g);
  const ChannelPlan plan = plan_channels(g, layers);
  EXPECT_EQ(plan.groups.size(), 4u);  // a, b, c, d; fc feeds the output
  expect_exact_surgery(g, input({2, 1, 12, 12}, 9));
}

TEST(ChannelSurgery, GemmChainsOfLenet) {
  ir::Graph g = train::build_zoo_model("lenet5");
  randomize(g, 4);
  expect_exact_surgery(g, input({2, 1, 28, 28}, 10));
}

TEST(ChannelSurgery, ResidualAddsTieChannelsThatArePrunedTogether) {
  ir::Graph g = train::build_zoo_model("resnet8");
  randomize(g, 5);
  const auto layers = find_layers(g);
  const ChannelPlan plan = plan_channels(g, layers);
  auto group_of = [&](const std::string& name) {
    const Layer* l = layer_named(layers, name);
    EXPECT_NE(l, nullptr) << name;
    return l ? plan.group_of[l - layers.data()] : -2;
  };
  EXPECT_GE(group_of("stem"), 0);
  EXPECT_EQ(group_of("stem"), group_of("block1_conv2"));
  EXPECT_EQ(group_of("block2_conv2"), group_of("block2_proj"));
  EXPECT_EQ(group_of("block3_conv2"), group_of("block3_proj"));
  EXPECT_NE(group_of("block2_conv2"), group_of("block3_conv2"));
  EXPECT_NE(group_of("block1_conv1"), group_of("stem"));
  EXPECT_EQ(group_of("fc"), -1);
  expect_exact_surgery(g, input({2, 1, 28, 28}, 11));
}

TEST(ChannelSurgery, SkippingTiedGroupsKeepsTheResidualStreamWhole) {
  ir::Graph g = train::build_zoo_model("resnet8");
  randomize(g, 6);
  const auto layers = find_layers(g);
  ChannelPlan plan = plan_channels(g, layers);
  skip_tied_groups(plan, layers);
  const auto index = [&](const std::string& name) {
    return static_cast<int>(layer_named(layers, name) - layers.data());
  };
  for (const char* tied : {"stem", "block1_conv2", "block2_conv2", "block2_proj", "block3_conv2", "block3_proj"}) {
    EXPECT_EQ(plan.group_of[index(tied)], -1) << tied;
    ASSERT_TRUE(plan.skipped.count(index(tied))) << tied;
    EXPECT_NE(plan.skipped.at(index(tied)).find("residual Add"), std::string::npos) << plan.skipped.at(index(tied));
  }
  EXPECT_NE(plan.skipped.at(index("block2_proj")).find("'block2_conv2'"), std::string::npos);
  for (const char* inner : {"block1_conv1", "block2_conv1", "block3_conv1"}) {
    const int gi = plan.group_of[index(inner)];
    ASSERT_GE(gi, 0) << inner;
    ASSERT_LT(gi, static_cast<int>(plan.groups.size()));
    EXPECT_EQ(plan.groups[gi].layers, std::vector<int>{index(inner)});
  }
  // Surgery with this plan equals masking it, and the stream keeps its width.
  expect_exact_surgery(g, input({2, 1, 28, 28}, 12), skip_tied_groups);
  ir::Graph pruned = clone_graph(g);
  remove_channels(pruned, layers, plan, every_third(plan));
  const auto after = find_layers(pruned);
  EXPECT_EQ(layer_named(after, "block1_conv2")->out_channels, layer_named(layers, "block1_conv2")->out_channels);
  EXPECT_LT(layer_named(after, "block1_conv1")->out_channels, layer_named(layers, "block1_conv1")->out_channels);
}

TEST(ChannelSurgery, DepthwiseConvsFollowTheirInputChannels) {
  ir::Graph g = train::build_zoo_model("mobilenet-tiny");
  randomize(g, 6);
  expect_exact_surgery(g, input({1, 1, 28, 28}, 12));
  const auto layers = find_layers(g);
  const ChannelPlan plan = plan_channels(g, layers);
  const Layer* dw = layer_named(layers, "block1_dw");
  ASSERT_NE(dw, nullptr);
  EXPECT_TRUE(dw->depthwise());
  EXPECT_EQ(plan.group_of[dw - layers.data()], -1);
}

TEST(ChannelSurgery, ChannelsAddedToUnprunableValuesAreSkippedWithTheReason) {
  ir::GraphBuilder b("skip", 1);
  ir::ValueId x = b.input("x", {1, 4, 6, 6});
  ir::ValueId y = b.relu(b.op("Add", {b.conv(x, 4, 3, 1, 1, 1, true, "inner"), x}, {}, "residual"));
  b.output(b.conv(y, 2, 1, 1, 0, 1, true, "head"), "out");
  ir::Graph g = b.finish();
  const auto layers = find_layers(g);
  const ChannelPlan plan = plan_channels(g, layers);
  EXPECT_TRUE(plan.groups.empty());
  ASSERT_EQ(plan.skipped.size(), 2u);
  EXPECT_NE(plan.skipped.at(0).find("'residual' (Add)"), std::string::npos) << plan.skipped.at(0);
  EXPECT_NE(plan.skipped.at(1).find("model output"), std::string::npos) << plan.skipped.at(1);
}

}  // namespace
}  // namespace etch::compress
