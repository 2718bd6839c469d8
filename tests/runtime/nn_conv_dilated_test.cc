// Dilated convolutions computed as undilated convolutions of phase images
// against the direct definition of Conv: dilations that do not divide the
// image, unequal dilations, asymmetric pads, batches, and the FusedConv
// epilogue (bias, summand, clip) against the im2col path, and the same bytes
// whatever the thread count.
#include "etch/runtime/kernels/nn_conv_dilated.h"

#include <gtest/gtest.h>

#include "etch/core/thread_pool.h"
#include "naive_conv.h"
#include "nn_test_util.h"

namespace etch::runtime {
namespace {
using namespace testing;

Geom3 geom_of(const ConvCfg& cfg) {
  Geom3 g{};
  for (int i = 0; i < 3; ++i) g.in[i] = g.out[i] = g.k[i] = g.s[i] = g.d[i] = 1, g.p[i] = 0;
  for (int i = 0; i < 2; ++i) {
    g.in[i + 1] = cfg.in[i], g.k[i + 1] = cfg.k[i], g.s[i + 1] = cfg.stride[i], g.d[i + 1] = cfg.dil[i];
    g.p[i + 1] = cfg.pads[i];
    g.out[i + 1] = (cfg.in[i] + cfg.pads[i] + cfg.pads[i + 2] - cfg.dil[i] * (cfg.k[i] - 1) - 1) / cfg.stride[i] + 1;
  }
  return g;
}

ir::Node conv_node(const ConvCfg& cfg) {
  return make_node("Conv", 3, {{"strides", cfg.stride}, {"dilations", cfg.dil}, {"pads", cfg.pads}});
}

TEST(DilatedConv, PhasesMatchTheDefinition) {
  const std::vector<ConvCfg> cfgs = {
      {1, 64, 64, 1, {80, 80}, {3, 3}, {1, 1}, {5, 5}, {5, 5, 5, 5}, true},  // M-LSD's decoder layer
      {2, 32, 48, 1, {37, 45}, {3, 3}, {1, 1}, {2, 3}, {2, 3, 2, 3}, true},  // unequal, not dividing the image
      {1, 16, 32, 1, {50, 61}, {3, 5}, {1, 1}, {4, 2}, {1, 0, 6, 5}, true},  // asymmetric pads, 3x5
      {1, 48, 80, 1, {40, 40}, {3, 3}, {1, 1}, {2, 1}, {2, 1, 2, 1}, true},  // dilated rows only, 2 channel blocks
  };
  uint32_t seed = 5;
  for (const ConvCfg& cfg : cfgs) {
    SCOPED_TRACE("dilations " + std::to_string(cfg.dil[0]) + "x" + std::to_string(cfg.dil[1]));
    ASSERT_TRUE(dilated_conv_by_phases_supported(geom_of(cfg), 1, cfg.c, cfg.m));
    const Tensor x = random_tensor({cfg.n, cfg.c, cfg.in[0], cfg.in[1]}, seed += 3);
    const Tensor w = random_tensor({cfg.m, cfg.c, cfg.k[0], cfg.k[1]}, seed + 1), b = random_tensor({cfg.m}, seed + 2);
    expect_close(run(conv_node(cfg), {&x, &w, &b})[0], naive_conv(cfg, x, w, &b));
  }
}

TEST(DilatedConv, NotForStridesOrUndilatedConvs) {
  ConvCfg cfg{1, 64, 64, 1, {80, 80}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, false};
  EXPECT_FALSE(dilated_conv_by_phases_supported(geom_of(cfg), 1, 64, 64));
  cfg.dil = {2, 2}, cfg.stride = {2, 2};
  EXPECT_FALSE(dilated_conv_by_phases_supported(geom_of(cfg), 1, 64, 64));
  cfg.stride = {1, 1};
  EXPECT_FALSE(dilated_conv_by_phases_supported(geom_of(cfg), 2, 64, 64));  // grouped
}

TEST(DilatedConv, FusedEpilogueMatchesTheIm2colPath) {
  const ConvCfg cfg{2, 32, 48, 1, {48, 48}, {3, 3}, {1, 1}, {3, 3}, {3, 3, 3, 3}, true};
  const Tensor x = random_tensor({2, 32, 48, 48}, 1), w = random_tensor({48, 32, 3, 3}, 2), b = random_tensor({48}, 3);
  const Tensor z = random_tensor({2, 48, 48, 48}, 4);
  ir::Node fused = make_node("FusedConv", 4, {{"dilations", cfg.dil}, {"pads", cfg.pads}});
  fused.domain = "ai.etch";
  fused.attrs["activation"] = std::string("Clip");
  fused.attrs["activation_params"] = std::vector<float>{-0.5f, 0.75f};
  const Tensor phases = run(fused, {&x, &w, &b, &z})[0];
  set_onednn_conv_disabled(true);
  const Tensor im2col = run(fused, {&x, &w, &b, &z})[0];
  set_onednn_conv_disabled(false);
  expect_close(phases, im2col);
  EXPECT_FALSE(phases.equals(im2col)) << "the phase path was not taken";
}

TEST(DilatedConv, ThreadCountDoesNotChangeBytes) {
  const ConvCfg cfg{2, 32, 48, 1, {37, 45}, {3, 3}, {1, 1}, {2, 3}, {2, 3, 2, 3}, true};
  const Tensor x = random_tensor({2, 32, 37, 45}, 8), w = random_tensor({48, 32, 3, 3}, 9), b = random_tensor({48}, 10);
  set_num_threads(1);
  const Tensor one = run(conv_node(cfg), {&x, &w, &b})[0];
  for (int threads : {2, 3}) {
    set_num_threads(threads);
    EXPECT_TRUE(run(conv_node(cfg), {&x, &w, &b})[0].equals(one)) << threads << " threads";
  }
  set_num_threads(0);
}

}  // namespace
}  // namespace etch::runtime
