// etch's integer ops (docs/quantization.md): hand-derived cases for the
// arithmetic, and agreement with the float reference within one quantization
// step on random tensors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "etch/core/int4.h"
#include "etch/core/thread_pool.h"
#include "etch/runtime/requantize.h"
#include "runtime/quant_test_util.h"

namespace etch::runtime {
namespace {
using namespace quant_test;
using ir::Attribute;
using Ints = std::vector<int64_t>;

ir::Node qnode(const std::string& op, size_t inputs, std::map<std::string, Attribute> attrs) {
  ir::Node n = make_quant_node(op, inputs, std::move(attrs));
  n.domain = "ai.etch";
  return n;
}

Ints mult_of(double real) { return {quantize_multiplier(real).multiplier}; }
Ints shift_of(double real) { return {quantize_multiplier(real).shift}; }

TEST(QGemm, ExactSumsWithZeroPointBiasAndUnitMultiplier) {
  // x − 1 = [[0, 2], [-3, 4]]; w rows [1, 2] and [-1, 3].
  const Tensor x = Tensor::from_vector<int8_t>({2, 2}, {1, 3, -2, 5});
  const Tensor w = Tensor::from_vector<int8_t>({2, 2}, {1, 2, -1, 3});
  const Tensor b = Tensor::from_vector<int32_t>({2}, {10, -5});
  const Tensor y = run1(qnode("QGemm", 3,
                              {{"x_zero_point", Attribute{int64_t{1}}},
                               {"y_zero_point", Attribute{int64_t{-3}}},
                               {"multipliers", Attribute{mult_of(1.0)}},
                               {"shifts", Attribute{shift_of(1.0)}}}),
                        {&x, &w, &b});
  // row 0: 0·1 + 2·2 + 10 = 14, 0·-1 + 2·3 − 5 = 1; row 1: −3 + 8 + 10 = 15, 3 + 12 − 5 = 10; then −3.
  EXPECT_EQ(values<int8_t>(y), (std::vector<int8_t>{11, -2, 12, 7}));
}

TEST(QGemm, LongRowsSumEveryProductExactly) {
  // K = 37: two blocks of sixteen and a tail of five for the vector dot
  // product. Small centered values keep every sum inside int8, so with a unit
  // multiplier each output is its exact sum plus bias.
  const int64_t rows = 3, k = 37, m = 5;
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> unit(-1, 1), small(-3, 3);
  std::vector<int8_t> xv(rows * k), wv(m * k);
  for (int8_t& v : xv) v = static_cast<int8_t>(7 + unit(rng));  // x_zero_point 7
  for (int8_t& v : wv) v = static_cast<int8_t>(small(rng));
  const std::vector<int32_t> bias{0, 5, -5, 1, -1};
  std::vector<int8_t> want;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < m; ++c) {
      int32_t sum = bias[c];
      for (int64_t i = 0; i < k; ++i) sum += (xv[r * k + i] - 7) * wv[c * k + i];
      want.push_back(static_cast<int8_t>(sum));
    }
  const Tensor x = Tensor::from_vector<int8_t>({rows, k}, xv), w = Tensor::from_vector<int8_t>({m, k}, wv);
  const Tensor b = Tensor::from_vector<int32_t>({m}, bias);
  const Tensor y = run1(qnode("QGemm", 3,
                              {{"x_zero_point", Attribute{int64_t{7}}},
                               {"multipliers", Attribute{mult_of(1.0)}},
                               {"shifts", Attribute{shift_of(1.0)}}}),
                        {&x, &w, &b});
  EXPECT_EQ(values<int8_t>(y), want);
}

TEST(QGemm, PerChannelMultipliersTiesAndClamp) {
  const Tensor x = Tensor::from_vector<int8_t>({1, 1}, {3});
  const Tensor w = Tensor::from_vector<int8_t>({3, 1}, {1, -1, 100});
  // Channel 0 halves (3 → 1.5 → 2: gemmlowp rounds the positive tie up),
  // channel 1 halves (−3 → −1.5 → −1: the negative tie also rounds up), channel
  // 2 is 300 → clamped to act_max 100.
  const Tensor y = run1(qnode("QGemm", 2,
                              {{"multipliers", Attribute{Ints{mult_of(0.5)[0], mult_of(0.5)[0], mult_of(1)[0]}}},
                               {"shifts", Attribute{Ints{shift_of(0.5)[0], shift_of(0.5)[0], shift_of(1)[0]}}},
                               {"act_min", Attribute{int64_t{-100}}},
                               {"act_max", Attribute{int64_t{100}}}}),
                        {&x, &w});
  EXPECT_EQ(values<int8_t>(y), (std::vector<int8_t>{2, -1, 100}));
}

TEST(QGemm, Int4WeightsEqualInt8Weights) {
  const Tensor x = Tensor::from_vector<int8_t>({1, 3}, {5, -7, 2});
  const Tensor w8 = Tensor::from_vector<int8_t>({2, 3}, {7, -7, 3, -1, 0, 6});
  const Tensor w4 = pack_int4(w8);
  EXPECT_EQ(w4.nbytes(), 3u);
  const auto node = qnode("QGemm", 2, {{"multipliers", Attribute{mult_of(1)}}, {"shifts", Attribute{shift_of(1)}}});
  // 35 + 49 + 6 = 90; −5 + 0 + 12 = 7
  EXPECT_EQ(values<int8_t>(run1(node, {&x, &w4})), (std::vector<int8_t>{90, 7}));
  EXPECT_EQ(values<int8_t>(run1(node, {&x, &w8})), (std::vector<int8_t>{90, 7}));
}

TEST(QConv, PaddingHoldsTheInputZeroPoint) {
  // 1×1×2×2 input of zero point 4 with 1-pixel padding and a 3×3 all-ones kernel:
  // each output sums the four (x − 4) values, padding adds nothing.
  const Tensor x = Tensor::from_vector<int8_t>({1, 1, 2, 2}, {5, 6, 7, 8});  // centered 1, 2, 3, 4
  const Tensor w = Tensor::from_vector<int8_t>({1, 1, 3, 3}, std::vector<int8_t>(9, 1));
  const Tensor y = run1(qnode("QConv", 2,
                              {{"pads", Attribute{Ints{1, 1, 1, 1}}},
                               {"x_zero_point", Attribute{int64_t{4}}},
                               {"multipliers", Attribute{mult_of(1)}},
                               {"shifts", Attribute{shift_of(1)}}}),
                        {&x, &w});
  EXPECT_EQ(values<int8_t>(y), (std::vector<int8_t>{10, 10, 10, 10}));
}

TEST(QConv, DepthwiseUsesEachChannelsOwnWeightAndMultiplier) {
  const Tensor x = Tensor::from_vector<int8_t>({1, 2, 1, 2}, {1, 2, 3, 4});
  const Tensor w = Tensor::from_vector<int8_t>({2, 1, 1, 1}, {10, -10});
  const Tensor b = Tensor::from_vector<int32_t>({2}, {1, 0});
  const Tensor y = run1(qnode("QConv", 3,
                              {{"group", Attribute{int64_t{2}}},
                               {"multipliers", Attribute{Ints{mult_of(1)[0], mult_of(0.25)[0]}}},
                               {"shifts", Attribute{Ints{shift_of(1)[0], shift_of(0.25)[0]}}}}),
                        {&x, &w, &b});
  // channel 0: 11, 21; channel 1: −30/4 = −7.5 → −8 (ties away from zero) and −40/4 = −10.
  EXPECT_EQ(values<int8_t>(y), (std::vector<int8_t>{11, 21, -8, -10}));
}

TEST(QAdd, RescalesBothInputsToTheOutputScale) {
  // s_a = 0.5, s_b = 0.25, s_y = 1: y = round(0.5·(a − 1) + 0.25·(b + 2)).
  const double sa = 0.5, sb = 0.25, sy = 1.0, twice = 2 * std::max(sa, sb);
  const int left = 20;
  const Tensor a = Tensor::from_vector<int8_t>({4}, {1, 5, 9, -127});
  const Tensor b = Tensor::from_vector<int8_t>({1}, {6});  // broadcast; centered 8 → 2.0
  const Tensor y = run1(qnode("QAdd", 2,
                              {{"a_zero_point", Attribute{int64_t{1}}},
                               {"b_zero_point", Attribute{int64_t{-2}}},
                               {"a_multiplier", Attribute{mult_of(sa / twice)[0]}},
                               {"a_shift", Attribute{shift_of(sa / twice)[0]}},
                               {"b_multiplier", Attribute{mult_of(sb / twice)[0]}},
                               {"b_shift", Attribute{shift_of(sb / twice)[0]}},
                               {"y_multiplier", Attribute{mult_of(twice / ((1 << left) * sy))[0]}},
                               {"y_shift", Attribute{shift_of(twice / ((1 << left) * sy))[0]}}}),
                        {&a, &b});
  // a real: 0, 2, 4, −64; plus 2.0.
  EXPECT_EQ(values<int8_t>(y), (std::vector<int8_t>{2, 4, 6, -62}));
}

TEST(QAveragePool, DividesByTheKernelAreaThroughTheMultiplier) {
  const Tensor x = Tensor::from_vector<int8_t>({1, 1, 2, 2}, {3, 5, 7, 9});  // zp 1: 2, 4, 6, 8 → mean 5
  const Tensor y = run1(qnode("QAveragePool", 1,
                              {{"kernel_shape", Attribute{Ints{2, 2}}},
                               {"x_zero_point", Attribute{int64_t{1}}},
                               {"y_zero_point", Attribute{int64_t{-1}}},
                               {"multiplier", Attribute{mult_of(0.25)[0]}},
                               {"shift", Attribute{shift_of(0.25)[0]}}}),
                        {&x});
  EXPECT_EQ(values<int8_t>(y), (std::vector<int8_t>{4}));
}

TEST(QLut, IndexesTheTableByValuePlus128) {
  std::vector<int8_t> table(256);
  for (int i = 0; i < 256; ++i) table[i] = static_cast<int8_t>(127 - i);  // y = −1 − x
  const Tensor t = Tensor::from_vector<int8_t>({256}, table);
  const Tensor x = Tensor::from_vector<int8_t>({3}, {-128, 0, 127});
  EXPECT_EQ(values<int8_t>(run1(qnode("QLut", 2, {}), {&x, &t})), (std::vector<int8_t>{127, -1, -128}));
}

TEST(QIntSchemas, RejectMalformedAttributesNamingTheNode) {
  const Tensor x = Tensor::from_vector<int8_t>({1, 2}, {1, 2});
  const Tensor w = Tensor::from_vector<int8_t>({1, 2}, {1, 2});
  expect_error(qnode("QGemm", 2, {{"multipliers", Attribute{Ints{12345}}}, {"shifts", Attribute{Ints{0}}}}), {&x, &w},
               {"q_QGemm", "multiplier 12345"});
  expect_error(qnode("QGemm", 2, {{"multipliers", Attribute{mult_of(1)}}}), {&x, &w}, {"'shifts' is required"});
  expect_error(qnode("QGemm", 2,
                     {{"multipliers", Attribute{mult_of(1)}},
                      {"shifts", Attribute{shift_of(1)}},
                      {"act_min", Attribute{int64_t{5}}},
                      {"act_max", Attribute{int64_t{2}}}}),
               {&x, &w}, {"activation range [5, 2]"});
  const Tensor short_table = Tensor::from_vector<int8_t>({3}, {1, 2, 3});
  expect_error(qnode("QLut", 2, {}), {&x, &short_table}, {"256 entries"});
}

// Random int8 conv against the float conv of the dequantized tensors: the
// integer result is the float one requantized, so they differ by at most one
// output step (rounding) — checked on every element.
TEST(QConv, AgreesWithFloatConvWithinOneStep) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> q(-128, 127), wq(-127, 127);
  const int64_t N = 2, C = 4, H = 6, W = 5, M = 3;
  std::vector<int8_t> xv(N * C * H * W), wv(M * C * 9);
  for (auto& v : xv) v = static_cast<int8_t>(q(rng));
  for (auto& v : wv) v = static_cast<int8_t>(wq(rng));
  const float sx = 0.02f, sy = 0.5f;
  const std::vector<float> sw = {0.003f, 0.01f, 0.0007f};
  const int32_t zx = -9, zy = 3;
  std::vector<int32_t> bv = {1000, -2500, 40};
  Ints mults, shifts;
  for (int64_t m = 0; m < M; ++m) {
    const QuantizedMultiplier qm = quantize_multiplier(double(sx) * sw[m] / sy);
    mults.push_back(qm.multiplier);
    shifts.push_back(qm.shift);
  }
  const Tensor x = Tensor::from_vector<int8_t>({N, C, H, W}, xv), w = Tensor::from_vector<int8_t>({M, C, 3, 3}, wv);
  const Tensor b = Tensor::from_vector<int32_t>({M}, bv);
  const Ints pads{1, 0, 1, 2}, strides{1, 2};
  const Tensor y = run1(qnode("QConv", 3,
                              {{"pads", Attribute{pads}},
                               {"strides", Attribute{strides}},
                               {"x_zero_point", Attribute{int64_t{zx}}},
                               {"y_zero_point", Attribute{int64_t{zy}}},
                               {"multipliers", Attribute{mults}},
                               {"shifts", Attribute{shifts}}}),
                        {&x, &w, &b});
  // Float reference through the float Conv kernel.
  std::vector<float> xf(xv.size()), wf(wv.size()), bf(M);
  for (size_t i = 0; i < xv.size(); ++i) xf[i] = sx * (xv[i] - zx);
  for (size_t i = 0; i < wv.size(); ++i) wf[i] = sw[i / (C * 9)] * wv[i];
  for (int64_t m = 0; m < M; ++m) bf[m] = sx * sw[m] * bv[m];
  const Tensor xt = Tensor::from_vector<float>({N, C, H, W}, xf), wt = Tensor::from_vector<float>({M, C, 3, 3}, wf),
               bt = Tensor::from_vector<float>({M}, bf);
  ir::Node conv = make_quant_node("Conv", 3, {{"pads", Attribute{pads}}, {"strides", Attribute{strides}}});
  const Tensor ref = run1(conv, {&xt, &wt, &bt});
  ASSERT_EQ(ref.shape(), y.shape());
  int exact = 0;
  for (int64_t i = 0; i < y.numel(); ++i) {
    const double want = std::clamp(ref.data<float>()[i] / sy + zy, -128.0f, 127.0f);
    EXPECT_LE(std::abs(y.data<int8_t>()[i] - want), 1.0) << "element " << i;
    exact += y.data<int8_t>()[i] == std::lround(want);
  }
  EXPECT_GT(exact, y.numel() * 9 / 10);
}

}  // namespace
}  // namespace etch::runtime

namespace etch::runtime {
namespace {

// The integer kernels' fast paths (im2col + vpmaddwd, direct depthwise at
// strides 1 and 2, vectorised QAdd and requantization) split their work over
// the pool; the bytes must not depend on how many threads share it.
TEST(IntegerThreads, OneAndTwoThreadsGiveIdenticalBytes) {
  const Tensor x = Tensor::from_vector<int8_t>({1, 24, 40, 40}, random_int8(24 * 40 * 40, 1));
  const Tensor x2 = Tensor::from_vector<int8_t>({1, 24, 40, 40}, random_int8(24 * 40 * 40, 2));
  const Tensor w3 = Tensor::from_vector<int8_t>({32, 24, 3, 3}, random_int8(32 * 24 * 9, 3));
  const Tensor wdw = Tensor::from_vector<int8_t>({24, 1, 3, 3}, random_int8(24 * 9, 4));
  const Tensor b32 = Tensor::from_vector<int32_t>({32}, std::vector<int32_t>(32, 1000));
  const Ints m32(32, mult_of(0.003)[0]), s32(32, shift_of(0.003)[0]);
  const Ints m24(24, mult_of(0.02)[0]), s24(24, shift_of(0.02)[0]);
  const ir::Node dense = qnode("QConv", 3,
                               {{"pads", Attribute{Ints{1, 1, 1, 1}}},
                                {"x_zero_point", Attribute{int64_t{-3}}},
                                {"multipliers", Attribute{m32}},
                                {"shifts", Attribute{s32}}});
  auto depthwise = [&](int64_t stride) {
    return qnode("QConv", 2,
                 {{"group", Attribute{int64_t{24}}},
                  {"pads", Attribute{Ints{1, 1, 1, 1}}},
                  {"strides", Attribute{Ints{stride, stride}}},
                  {"x_zero_point", Attribute{int64_t{5}}},
                  {"multipliers", Attribute{m24}},
                  {"shifts", Attribute{s24}}});
  };
  const ir::Node add = qnode("QAdd", 2,
                             {{"a_multiplier", Attribute{mult_of(0.5)[0]}},
                              {"a_shift", Attribute{shift_of(0.5)[0]}},
                              {"b_multiplier", Attribute{mult_of(0.3)[0]}},
                              {"b_shift", Attribute{shift_of(0.3)[0]}},
                              {"y_multiplier", Attribute{mult_of(1.0 / (1 << 19))[0]}},
                              {"y_shift", Attribute{shift_of(1.0 / (1 << 19))[0]}}});
  auto run_all = [&] {
    return std::vector<std::vector<int8_t>>{
        values<int8_t>(run1(dense, {&x, &w3, &b32})), values<int8_t>(run1(depthwise(1), {&x, &wdw})),
        values<int8_t>(run1(depthwise(2), {&x, &wdw})), values<int8_t>(run1(add, {&x, &x2}))};
  };
  const int before = num_threads();
  set_num_threads(1);
  const auto one = run_all();
  set_num_threads(2);
  const auto two = run_all();
  set_num_threads(before);
  for (size_t l = 0; l < one.size(); ++l) {
    EXPECT_EQ(one[l], two[l]) << "op " << l;
    // Not trivially equal: the outputs vary.
    EXPECT_NE(*std::min_element(one[l].begin(), one[l].end()), *std::max_element(one[l].begin(), one[l].end()));
  }
}

// A dense int8 conv of several 64-channel blocks takes the oneDNN path, whose
// per-block weight reorders (with int8 compensation sums) run on both
// threads at once: they must share no scratchpad. A race shows on some runs
// only, so two threads run it 50 times (with the shared scratchpad, every one
// of five invocations failed within 20 runs).
TEST(IntegerThreads, ConvOfSeveralChannelBlocksGivesTheSameBytesOnEveryRun) {
  const Tensor x = Tensor::from_vector<int8_t>({1, 32, 24, 24}, random_int8(32 * 24 * 24, 5));
  const Tensor w = Tensor::from_vector<int8_t>({192, 32, 3, 3}, random_int8(192 * 32 * 9, 6));
  const Tensor b = Tensor::from_vector<int32_t>({192}, std::vector<int32_t>(192, -700));
  const Ints m(192, mult_of(0.002)[0]), sh(192, shift_of(0.002)[0]);
  const ir::Node conv = qnode("QConv", 3,
                              {{"pads", Attribute{Ints{1, 1, 1, 1}}},
                               {"x_zero_point", Attribute{int64_t{7}}},
                               {"multipliers", Attribute{m}},
                               {"shifts", Attribute{sh}}});
  const int before = num_threads();
  set_num_threads(1);
  const std::vector<int8_t> one = values<int8_t>(run1(conv, {&x, &w, &b}));
  set_num_threads(2);
  for (int run = 0; run < 50; ++run) ASSERT_EQ(values<int8_t>(run1(conv, {&x, &w, &b})), one) << "run " << run;
  set_num_threads(before);
  EXPECT_NE(*std::min_element(one.begin(), one.end()), *std::max_element(one.begin(), one.end()));
}

}  // namespace
}  // namespace etch::runtime
