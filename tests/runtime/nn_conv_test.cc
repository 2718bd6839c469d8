#include <gtest/gtest.h>

#include "etch/core/thread_pool.h"
#include "naive_conv.h"
#include "nn_test_util.h"

namespace etch::runtime {
namespace {
using namespace testing;

TEST(NnConv, HandComputed3x3On4x4) {
  // x = 0..15, weight all ones, pad 1: each output is the sum of its 3x3 neighbourhood.
  std::vector<float> xs(16);
  for (int i = 0; i < 16; ++i) xs[i] = static_cast<float>(i);
  Tensor x = Tensor::from_vector<float>({1, 1, 4, 4}, xs);
  Tensor w = Tensor::from_vector<float>({1, 1, 3, 3}, std::vector<float>(9, 1.0f));
  ir::Node n = make_node("Conv", 2, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  Tensor y = run(n, {&x, &w})[0];
  ASSERT_EQ(y.shape(), (Shape{1, 1, 4, 4}));
  // corners: 0+1+4+5 = 10; top edge (0,1): 0+1+2+4+5+6 = 18; centre (1,1): 0+1+2+4+5+6+8+9+10 = 45
  EXPECT_FLOAT_EQ(y.data<float>()[0], 10.0f);
  EXPECT_FLOAT_EQ(y.data<float>()[1], 18.0f);
  EXPECT_FLOAT_EQ(y.data<float>()[5], 45.0f);
  EXPECT_FLOAT_EQ(y.data<float>()[15], 10.0f + 20.0f + 20.0f);  // 10+11+14+15 = 50
}

TEST(NnConv, MatchesNaiveAcrossConfigurations) {
  const std::vector<ConvCfg> cfgs = {
      {2, 3, 4, 1, {7, 6}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true},
      {1, 4, 6, 2, {9, 9}, {3, 2}, {2, 1}, {1, 2}, {0, 1, 2, 0}, true},
      {3, 6, 6, 6, {8, 8}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, false},  // depthwise
      {1, 5, 3, 1, {10}, {4}, {3}, {2}, {2, 1}, true},                    // 1-D
      {2, 8, 16, 1, {5, 5}, {1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}, true},  // pointwise
      {1, 1, 16, 1, {28, 28}, {3, 3}, {1, 1}, {1, 1}, {1, 1, 1, 1}, true},
  };
  uint32_t seed = 1;
  for (const auto& cfg : cfgs) {
    Shape xs{cfg.n, cfg.c}, ws{cfg.m, cfg.c / cfg.group};
    xs.insert(xs.end(), cfg.in.begin(), cfg.in.end());
    ws.insert(ws.end(), cfg.k.begin(), cfg.k.end());
    Tensor x = random_tensor(xs, seed++), w = random_tensor(ws, seed++), b = random_tensor({cfg.m}, seed++);
    ir::Node n = make_node("Conv", cfg.bias ? 3 : 2,
                           {{"group", cfg.group}, {"strides", cfg.stride}, {"dilations", cfg.dil}, {"pads", cfg.pads}});
    std::vector<const Tensor*> ins{&x, &w};
    if (cfg.bias) ins.push_back(&b);
    expect_close(run(n, ins)[0], naive_conv(cfg, x, w, cfg.bias ? &b : nullptr));
  }
}

TEST(NnConv, AutoPadSameUpperAndLower) {
  Tensor x = random_tensor({1, 2, 5, 5}, 7), w = random_tensor({3, 2, 2, 2}, 8);
  // SAME with even kernel: total pad 1; UPPER puts it at the end, LOWER at the start.
  ir::Node upper = make_node("Conv", 2, {{"auto_pad", std::string("SAME_UPPER")}});
  ir::Node lower = make_node("Conv", 2, {{"auto_pad", std::string("SAME_LOWER")}});
  ConvCfg cu{1, 2, 3, 1, {5, 5}, {2, 2}, {1, 1}, {1, 1}, {0, 0, 1, 1}, false};
  ConvCfg cl{1, 2, 3, 1, {5, 5}, {2, 2}, {1, 1}, {1, 1}, {1, 1, 0, 0}, false};
  expect_close(run(upper, {&x, &w})[0], naive_conv(cu, x, w, nullptr));
  expect_close(run(lower, {&x, &w})[0], naive_conv(cl, x, w, nullptr));
}

TEST(NnConv, ThreadCountDoesNotChangeBytes) {
  Tensor x = random_tensor({4, 16, 14, 14}, 11), w = random_tensor({32, 16, 3, 3}, 12), b = random_tensor({32}, 13);
  ir::Node n = make_node("Conv", 3, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  set_num_threads(1);
  Tensor one = run(n, {&x, &w, &b})[0];
  set_num_threads(2);
  Tensor two = run(n, {&x, &w, &b})[0];
  set_num_threads(0);
  EXPECT_TRUE(one.equals(two));
}

TEST(NnConv, ChannelMismatchNamesNode) {
  Tensor x = random_tensor({1, 3, 4, 4}, 1), w = random_tensor({2, 1, 3, 3}, 2);
  ir::Node n = make_node("Conv", 2, {}, 1, "conv1");
  try {
    run(n, {&x, &w});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("node 'conv1' (Conv): input has 3 channels, weight expects 1×group=1"),
              std::string::npos)
        << e.what();
  }
}

TEST(NnConv, BadAttributesAreRejected) {
  Tensor x = random_tensor({1, 2, 4, 4}, 1), w = random_tensor({2, 2, 3, 3}, 2);
  EXPECT_THROW(run(make_node("Conv", 2, {{"strides", std::vector<int64_t>{1}}}), {&x, &w}), Error);
  EXPECT_THROW(run(make_node("Conv", 2, {{"auto_pad", std::string("FOO")}}), {&x, &w}), Error);
  EXPECT_THROW(run(make_node("Conv", 2, {{"kernel_shape", std::vector<int64_t>{2, 2}}}), {&x, &w}), Error);
  Tensor big = random_tensor({2, 2, 5, 5}, 3);
  EXPECT_THROW(run(make_node("Conv", 2), {&x, &big}), Error);  // kernel larger than input
}

TEST(NnConvTranspose, MatchesScatterDefinition) {
  // y[o*s - p + k] += x[i] * w[k]: compute by hand for 1-D, stride 2, pad 1, output_padding 1.
  Tensor x = Tensor::from_vector<float>({1, 1, 3}, {1, 2, 3});
  Tensor w = Tensor::from_vector<float>({1, 2, 3}, {1, 10, 100, 2, 20, 200});
  ir::Node n = make_node("ConvTranspose", 2,
                         {{"strides", std::vector<int64_t>{2}},
                          {"pads", std::vector<int64_t>{1, 1}},
                          {"output_padding", std::vector<int64_t>{1}}});
  Tensor y = run(n, {&x, &w})[0];
  // full length = 2*(3-1) + 3 + 1 = 8, minus pads = 6
  ASSERT_EQ(y.shape(), (Shape{1, 2, 6}));
  // channel 0 full (no pad): [1, 10, 100+2, 20, 200+3, 30, 300, 0] -> drop first: [10,102,20,203,30,300]
  std::vector<float> want{10, 102, 20, 203, 30, 300, 20, 204, 40, 406, 60, 600};
  EXPECT_EQ(float_values(y), want);
}

TEST(NnConvTranspose, GroupsAndOutputShape) {
  Tensor x = random_tensor({1, 4, 3, 3}, 5), w = random_tensor({4, 1, 3, 3}, 6);
  ir::Node n = make_node(
      "ConvTranspose", 2,
      {{"group", int64_t{2}}, {"strides", std::vector<int64_t>{2, 2}}, {"output_shape", std::vector<int64_t>{8, 7}}});
  Tensor y = run(n, {&x, &w})[0];
  ASSERT_EQ(y.shape(), (Shape{1, 2, 8, 7}));
  // Independent check of one output by scattering.
  std::vector<double> ref(2 * 8 * 7, 0.0);
  for (int c = 0; c < 4; ++c)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j)
        for (int ki = 0; ki < 3; ++ki)
          for (int kj = 0; kj < 3; ++kj) {
            int m = c / 2, oi = i * 2 + ki, oj = j * 2 + kj;  // H: full 7 < 8, so a zero row is appended
            if (oi < 8 && oj < 7)
              ref[(m * 8 + oi) * 7 + oj] +=
                  x.data<float>()[(c * 3 + i) * 3 + j] * w.data<float>()[(c * 3 + ki) * 3 + kj];
          }
  for (size_t i = 0; i < ref.size(); ++i) ASSERT_NEAR(y.data<float>()[i], ref[i], 1e-4) << i;
}

}  // namespace
}  // namespace etch::runtime
