#include "etch/quant/cross_layer_equalization.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "etch/ir/builder.h"
#include "etch/quant/calibration_run.h"
#include "quant/quant_test_models.h"

namespace etch::quant {
namespace {

using testing::blobs;
using testing::max_abs;
using testing::max_abs_diff;
using testing::run;
using testing::small_options;

// x -> conv "a" (4 channels, bias) -> Relu -> conv "b" (4 -> 3) -> y, with
// a's channels scaled by 1, 20, 0.05 and 3 so that they differ in range, and
// a's bias non-zero.
ir::Graph chain(int64_t b_group = 1) {
  ir::GraphBuilder b("chain", 11);
  auto x = b.input("x", {-1, 1, 8, 8});
  auto a = b.relu(b.conv(x, 4, 3, 1, 1, 1, true, "a"));
  auto y = b.conv(a, b_group == 1 ? 3 : 4, b_group == 1 ? 1 : 3, 1, b_group == 1 ? 0 : 1, b_group, true, "b");
  b.output(y, "y");
  ir::Graph g = b.finish();
  const ir::Node& na = *g.find_node_by_name("a");
  Tensor& w = *g.value(na.inputs[1]).data;
  Tensor& bias = *g.value(na.inputs[2]).data;
  const float gain[4] = {1.0f, 20.0f, 0.05f, 3.0f};
  const int64_t per = w.numel() / 4;
  for (int64_t c = 0; c < 4; ++c) {
    for (int64_t k = 0; k < per; ++k) w.data<float>()[c * per + k] *= gain[c];
    bias.data<float>()[c] = 0.1f * gain[c] * static_cast<float>(c % 2 ? 1 : -1);
  }
  return g;
}

// Max |w| of conv `name` per output channel (rows) or per input channel (columns).
std::vector<double> ranges(const ir::Graph& g, const std::string& name, bool rows) {
  const ir::Node& n = *g.find_node_by_name(name);
  const Tensor& w = *g.value(n.inputs[1]).data;
  const int64_t m = w.dim(0), cin_g = w.dim(1), spatial = w.numel() / (m * cin_g);
  const int64_t group = n.attr_int("group", 1);
  std::vector<double> r(static_cast<size_t>(rows ? m : cin_g * group), 0.0);
  for (int64_t o = 0; o < m; ++o)
    for (int64_t k = 0; k < cin_g; ++k)
      for (int64_t s = 0; s < spatial; ++s) {
        const int64_t i = rows ? o : (o / (m / group)) * cin_g + k;
        r[i] = std::max(r[i], static_cast<double>(std::fabs(w.data<float>()[(o * cin_g + k) * spatial + s])));
      }
  return r;
}

// Largest over smallest non-zero range (a dead channel has none).
double spread(const std::vector<double>& r) {
  double lo = INFINITY, hi = 0;
  for (double x : r)
    if (x > 0) lo = std::min(lo, x), hi = std::max(hi, x);
  return hi / lo;
}

// chain() with ReLU6 (Clip(0, 6)) between a and b.
ir::Graph clipped_chain() {
  ir::GraphBuilder b("clip", 11);
  auto x = b.input("x", {-1, 1, 8, 8});
  auto y = b.conv(b.relu6(b.conv(x, 4, 3, 1, 1, 1, true, "a")), 3, 1, 1, 0, 1, true, "b");
  b.output(y, "y");
  ir::Graph g = b.finish();
  const ir::Node& na = *g.find_node_by_name("a");
  Tensor& w = *g.value(na.inputs[1]).data;
  // Channel 0 (bias 10) saturates at 6 on the blobs; 1-3 stay below it.
  const float gain[4] = {1.0f, 0.05f, 1.0f, 0.2f};
  const int64_t per = w.numel() / 4;
  for (int64_t c = 0; c < 4; ++c)
    for (int64_t k = 0; k < per; ++k) w.data<float>()[c * per + k] *= gain[c];
  g.value(na.inputs[2]).data->data<float>()[0] = 10.0f;
  return g;
}

TEST(CrossLayerEqualization, PairsRunThroughReluAndClipFromZeroButNotFanOut) {
  EXPECT_EQ(equalization_pairs(chain()).size(), 1u);
  EXPECT_TRUE(std::isinf(equalization_pairs(chain())[0].clip_max));
  const auto clip_pairs = equalization_pairs(clipped_chain());
  ASSERT_EQ(clip_pairs.size(), 1u);
  EXPECT_EQ(clip_pairs[0].clip_max, 6.0f);
  {
    ir::GraphBuilder b("clip_below_zero", 11);
    auto x = b.input("x", {-1, 1, 8, 8});
    auto lo = b.constant("lo", Tensor::scalar(-1.0f)), hi = b.constant("hi", Tensor::scalar(1.0f));
    auto c = b.op("Clip", {b.conv(x, 4, 3, 1, 1, 1, true, "a"), lo, hi});
    b.output(b.conv(c, 2, 1, 1, 0, 1, true, "b"), "y");
    EXPECT_TRUE(equalization_pairs(b.finish()).empty()) << "Clip(-1, 1) does not commute with a scale";
  }
  {
    ir::GraphBuilder b("fanout", 1);
    auto x = b.input("x", {-1, 1, 8, 8});
    auto a = b.relu(b.conv(x, 4, 3, 1, 1, 1, true, "a"));
    b.output(b.conv(a, 2, 1, 1, 0, 1, true, "b"), "y");
    b.output(b.global_avgpool(a), "z");
    EXPECT_TRUE(equalization_pairs(b.finish()).empty()) << "a second reader of a's output would see it scaled";
  }
}

TEST(CrossLayerEqualization, ClipPairScalesOnlyChannelsBelowTheBoundAndKeepsTheFunction) {
  const ir::Graph before = clipped_chain();
  ir::Graph g = before;
  const auto pairs = equalization_pairs(g);
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_EQ(equalize_cross_layer(g, Equalization::kWeights, pairs, {}), 0)
      << "without calibrated ranges a Clip pair is left alone";
  const data::Dataset calib = blobs(32);
  const PtqOptions o = small_options();
  const auto absmax = channel_absmax(g, {pairs[0].between}, calib, o);
  const std::vector<double> a0 = absmax.at(pairs[0].between);
  ASSERT_GE(a0[0], 6.0 * (1 - 1e-6)) << "the fixture's channel 0 must saturate";
  ASSERT_EQ(equalize_cross_layer(g, Equalization::kActivations, pairs, absmax), 1);
  const auto after = channel_absmax(g, {pairs[0].between}, calib, o).at(pairs[0].between);
  EXPECT_EQ(after[0], a0[0]) << "a saturated channel keeps its scale";
  EXPECT_EQ(ranges(g, "a", true)[0], ranges(before, "a", true)[0]);
  for (size_t c = 1; c < after.size(); ++c) {
    EXPECT_NE(after[c], a0[c]) << "channel " << c;
    EXPECT_LE(after[c], 6.0 * (1 + 1e-6)) << "channel " << c << " pushed past the bound";
  }
  EXPECT_LT(spread(after), spread(a0));
  const Tensor y0 = run(before, calib.images), y1 = run(g, calib.images);
  EXPECT_LE(max_abs_diff(y0, y1), 1e-5f * max_abs(y0));
}

TEST(CrossLayerEqualization, WeightsModeBalancesRangesAndKeepsTheFunction) {
  const ir::Graph before = chain();
  ir::Graph g = before;
  const auto pairs = equalization_pairs(g);
  ASSERT_EQ(equalize_cross_layer(g, Equalization::kWeights, pairs, {}), 1);
  const std::vector<double> r1 = ranges(g, "a", true), r2 = ranges(g, "b", false);
  for (size_t c = 0; c < r1.size(); ++c) EXPECT_NEAR(r1[c] / r2[c], 1.0, 1e-5) << "channel " << c;
  EXPECT_GT(spread(ranges(before, "a", true)), 100.0);
  EXPECT_LT(spread(r1), spread(ranges(before, "a", true)) / 10);
  const Tensor x = blobs(16).images;
  const Tensor y0 = run(before, x), y1 = run(g, x);
  EXPECT_LE(max_abs_diff(y0, y1), 1e-5f * max_abs(y0));
}

TEST(CrossLayerEqualization, ActivationsModeBalancesCalibratedRangesAgainstTheNextWeights) {
  const ir::Graph before = chain();
  ir::Graph g = before;
  const auto pairs = equalization_pairs(g);
  ASSERT_EQ(pairs.size(), 1u);
  const data::Dataset calib = blobs(32);
  const PtqOptions o = small_options();
  const auto absmax = channel_absmax(g, {pairs[0].between}, calib, o);
  const std::vector<double> a0 = absmax.at(pairs[0].between);
  ASSERT_EQ(equalize_cross_layer(g, Equalization::kActivations, pairs, absmax), 1);
  // After: each channel's activation range equals the next layer's column range.
  const auto after = channel_absmax(g, {pairs[0].between}, calib, o).at(pairs[0].between);
  const std::vector<double> r2 = ranges(g, "b", false);
  for (size_t c = 0; c < after.size(); ++c) {
    if (a0[c] > 0) {
      EXPECT_NEAR(after[c] / r2[c], 1.0, 1e-4) << "channel " << c;
    }
  }
  EXPECT_LT(spread(after), spread(a0));
  // The equalized tensor is renamed, so a comparison with the original model
  // does not pair it with the unscaled one.
  EXPECT_NE(g.value(pairs[0].between).name.find(".equalized"), std::string::npos);
  const Tensor y0 = run(before, calib.images), y1 = run(g, calib.images);
  EXPECT_LE(max_abs_diff(y0, y1), 1e-5f * max_abs(y0));
}

TEST(CrossLayerEqualization, DepthwiseSecondLayerScalesItsOwnChannel) {
  const ir::Graph before = chain(/*b_group=*/4);
  ir::Graph g = before;
  ASSERT_EQ(equalize_cross_layer(g, Equalization::kWeights, equalization_pairs(g), {}), 1);
  const std::vector<double> r1 = ranges(g, "a", true), r2 = ranges(g, "b", false);
  for (size_t c = 0; c < r1.size(); ++c) EXPECT_NEAR(r1[c] / r2[c], 1.0, 1e-5) << "channel " << c;
  const Tensor x = blobs(8).images;
  const Tensor y0 = run(before, x);
  EXPECT_LE(max_abs_diff(y0, run(g, x)), 1e-5f * max_abs(y0));
}

TEST(CrossLayerEqualization, ASharedWeightIsCopiedNotChangedUnderTheOtherReader) {
  ir::Graph g = chain();
  const ir::Node& nb = *g.find_node_by_name("b");
  const ir::ValueId wb = nb.inputs[1];
  const Tensor original = *g.value(wb).data;
  // A second node reads b's weight tensor.
  const ir::ValueId extra = g.add_value("extra", DType::F32, g.value(wb).shape);
  g.add_node("Identity", {wb}, {extra}, "reader");
  g.outputs.push_back(extra);
  ASSERT_EQ(equalize_cross_layer(g, Equalization::kWeights, equalization_pairs(g), {}), 1);
  EXPECT_EQ(max_abs_diff(*g.value(wb).data, original), 0.0f);
  EXPECT_NE(g.find_node_by_name("b")->inputs[1], wb);
}

TEST(CrossLayerEqualization, ModeNamesParseAndABadOneIsNamed) {
  EXPECT_EQ(parse_equalization("activations"), Equalization::kActivations);
  EXPECT_EQ(equalization_name(parse_equalization("weights")), "weights");
  try {
    parse_equalization("cle");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("--equalize"), std::string::npos);
  }
}

}  // namespace
}  // namespace etch::quant
