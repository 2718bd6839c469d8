// The oneDNN path of the fp32 Conv kernel against the direct definition of
// Conv, on shapes that cut into several channel blocks and row bands (tails,
// strides that skip the last rows, dilation, asymmetric pads, 1-D, batches),
// the FusedConv epilogues against the im2col path, and the same bytes
// whatever the thread count.
#include "etch/runtime/kernels/nn_conv_onednn.h"

#include <gtest/gtest.h>

#include "etch/core/thread_pool.h"
#include "naive_conv.h"
#include "nn_test_util.h"

namespace etch::runtime {
namespace {
using namespace testing;

Geom3 geom_2d(int64_t h, int64_t w, int64_t k) {
  Geom3 g{};
  for (int i = 0; i < 3; ++i) g.in[i] = g.out[i] = g.k[i] = g.s[i] = g.d[i] = 1, g.p[i] = 0;
  g.in[1] = g.out[1] = h, g.in[2] = g.out[2] = w, g.k[1] = g.k[2] = k, g.p[1] = g.p[2] = k / 2;
  return g;
}

Tensor run_conv(const ConvCfg& cfg, const Tensor& x, const Tensor& w, const Tensor& b) {
  ir::Node n = make_node("Conv", cfg.bias ? 3 : 2,
                         {{"group", cfg.group}, {"strides", cfg.stride}, {"dilations", cfg.dil}, {"pads", cfg.pads}});
  std::vector<const Tensor*> ins{&x, &w};
  if (cfg.bias) ins.push_back(&b);
  return run(n, ins)[0];
}

struct Inputs {
  Tensor x, w, b;
};

Inputs inputs_for(const ConvCfg& cfg, uint32_t seed) {
  Shape xs{cfg.n, cfg.c}, ws{cfg.m, cfg.c / cfg.group};
  xs.insert(xs.end(), cfg.in.begin(), cfg.in.end());
  ws.insert(ws.end(), cfg.k.begin(), cfg.k.end());
  return {random_tensor(xs, seed), random_tensor(ws, seed + 1), random_tensor({cfg.m}, seed + 2)};
}

TEST(OnednnConv, TakesDenseConvsWithEnoughWorkOnly) {
  EXPECT_TRUE(onednn_conv_supported(geom_2d(80, 80, 3), 1, 64, 64));
  EXPECT_TRUE(onednn_conv_supported(geom_2d(28, 28, 3), 1, 16, 32));
  EXPECT_FALSE(onednn_conv_supported(geom_2d(14, 14, 3), 1, 16, 32));   // 0.9M multiply-adds
  EXPECT_FALSE(onednn_conv_supported(geom_2d(320, 320, 3), 1, 1, 16));  // 9 multiply-adds per output
  EXPECT_FALSE(onednn_conv_supported(geom_2d(80, 80, 3), 1, 64, 8));    // 8 output channels
  EXPECT_FALSE(onednn_conv_supported(geom_2d(80, 80, 3), 2, 64, 64));   // grouped
  Geom3 three_d = geom_2d(32, 32, 3);
  three_d.in[0] = three_d.out[0] = 4, three_d.k[0] = 3;
  EXPECT_FALSE(onednn_conv_supported(three_d, 1, 16, 16));
}

TEST(OnednnConv, MatchesTheDefinitionAcrossBlocksAndBands) {
  // Row bands: one per 1024 outputs per channel, more (of at least 256 outputs)
  // until an image is 4 calls, at most 8.
  const std::vector<ConvCfg> cfgs = {
      {1, 64, 64, 1, {48, 64}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true},    // one block, 4 bands
      {2, 16, 80, 1, {45, 50}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true},    // 64 + 16 channels, batch 2, 2 bands
      {1, 24, 32, 1, {130, 70}, {3, 3}, {2, 2}, {1, 1}, {0, 0, 1, 1}, false},  // TF "same", stride 2, 4 bands
      {1, 16, 16, 1, {100, 100}, {3, 3}, {2, 2}, {1, 1}, {0, 0, 0, 0}, true},  // stride skips the last row/column
      {1, 32, 48, 1, {70, 40}, {3, 3}, {1, 1}, {2, 2}, {2, 2, 2, 2}, true},    // dilated
      {1, 8, 20, 1, {90, 50}, {5, 5}, {1, 2}, {1, 1}, {2, 0, 1, 2}, true},     // 5x5, asymmetric pads
      {3, 16, 16, 1, {4100}, {3}, {1}, {1}, {1, 1}, true},                     // 1-D: one row, one band
      {1, 130, 130, 1, {9, 9}, {1, 3}, {1, 1}, {1, 1}, {0, 1, 0, 1}, true},    // 3 blocks, one band
  };
  uint32_t seed = 10;
  for (const ConvCfg& cfg : cfgs) {
    SCOPED_TRACE("c=" + std::to_string(cfg.c) + " m=" + std::to_string(cfg.m));
    const Inputs in = inputs_for(cfg, seed += 3);
    expect_close(run_conv(cfg, in.x, in.w, in.b), naive_conv(cfg, in.x, in.w, cfg.bias ? &in.b : nullptr));
  }
}

TEST(OnednnConv, FusedEpiloguesMatchTheIm2colPath) {
  // Relu + 2x2 max pool (the pool reads across row bands), and summand + clip.
  const Tensor x = random_tensor({2, 32, 48, 48}, 1), w = random_tensor({48, 32, 3, 3}, 2), b = random_tensor({48}, 3);
  const Tensor z = random_tensor({2, 48, 48, 48}, 4);
  const std::map<std::string, ir::Attribute> pads{{"pads", std::vector<int64_t>{1, 1, 1, 1}}};
  const ir::Node pooled = testing::fused_conv_relu_pool2x2(pads);
  ir::Node summed = make_node("FusedConv", 4, pads);
  summed.domain = "ai.etch";
  summed.attrs["activation"] = std::string("Clip");
  summed.attrs["activation_params"] = std::vector<float>{-0.5f, 0.75f};
  for (const auto& [node, ins] : {std::pair{pooled, std::vector<const Tensor*>{&x, &w, &b}},
                                  std::pair{summed, std::vector<const Tensor*>{&x, &w, &b, &z}}}) {
    const Tensor fast = run(node, ins)[0];
    set_onednn_conv_disabled(true);
    const Tensor im2col = run(node, ins)[0];
    set_onednn_conv_disabled(false);
    expect_close(fast, im2col);
    EXPECT_FALSE(fast.equals(im2col)) << "the oneDNN path was not taken";
  }
}

// Sums of onednn_conv (no bias) for a 3x3 "same" conv of one image.
std::vector<float> onednn_sums(const ConvCfg& cfg, const Inputs& in, OnednnWeightCache* cache) {
  const Geom3 g = geom_2d(cfg.in[0], cfg.in[1], 3);
  const int64_t plane = cfg.in[0] * cfg.in[1];
  std::vector<float> y(static_cast<size_t>(cfg.m * plane), -1.0f);
  ConvBlockSink sink;
  sink.dst = [&](int64_t, int64_t oc0) { return y.data() + oc0 * plane; };
  sink.finish = [](int64_t, int64_t, int64_t, int64_t, int64_t, float*) {};
  EXPECT_TRUE(onednn_conv(g, 1, cfg.c, cfg.m, in.x.data<float>(), in.w.data<float>(), sink, cache));
  return y;
}

TEST(OnednnConv, KeptWeightsGiveTheBytesOfWeightsReorderedPerCall) {
  // 3x3 stride 1 with channels a multiple of 16: oneDNN's Winograd kernels,
  // which may differ between bands (F(4,3) or F(2,3)), each with its own
  // weight layout; 80 output channels make a second, narrower block.
  const ConvCfg cfg{1, 64, 80, 1, {80, 80}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, false};
  const Inputs in = inputs_for(cfg, 70);
  const std::vector<float> per_call = onednn_sums(cfg, in, nullptr);
  OnednnWeightCache cache;
  const std::vector<float> first = onednn_sums(cfg, in, &cache);
  ASSERT_NE(cache.plan, nullptr);
  const uint8_t* kept = cache.reordered.data();
  EXPECT_EQ(onednn_sums(cfg, in, &cache), first);
  EXPECT_EQ(cache.reordered.data(), kept) << "the kept weights were reordered again";
  EXPECT_EQ(first, per_call);
  Tensor y(DType::F32, {1, cfg.m, 80, 80});
  std::copy(first.begin(), first.end(), y.data<float>());
  expect_close(y, naive_conv(cfg, in.x, in.w, nullptr));
}

TEST(OnednnConv, ThreadCountDoesNotChangeBytes) {
  const ConvCfg cfg{3, 48, 96, 1, {61, 49}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true};
  const Inputs in = inputs_for(cfg, 40);
  set_num_threads(1);
  const Tensor one = run_conv(cfg, in.x, in.w, in.b);
  for (int threads : {2, 3}) {
    set_num_threads(threads);
    EXPECT_TRUE(run_conv(cfg, in.x, in.w, in.b).equals(one)) << threads << " threads";
  }
  set_num_threads(0);
}

}  // namespace
}  // namespace etch::runtime
