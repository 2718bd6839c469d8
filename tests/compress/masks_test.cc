// Scores -> masks: N:M along the input-channel axis, unstructured per layer and
// global with per-layer normalisation and a floor, channel selection.
#include "etch/compress/masks.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "etch/ir/builder.h"

namespace etch::compress {
namespace {

Layer conv_layer(ir::ValueId w, int64_t out, int64_t in) {
  Layer l;
  l.name = "conv" + std::to_string(w);
  l.op = "Conv";
  l.weight = w;
  l.out_channels = out;
  l.in_channels = in;
  return l;
}

Tensor seq_scores(Shape s, uint64_t seed) {
  Tensor t(DType::F32, s);
  ir::Rng rng(seed);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = rng.uniform(0.0f, 1.0f);
  return t;
}

TEST(NMMasks, ConvKeepsTheTwoLargestOfEveryFourInputChannelsPerPosition) {
  const Shape s = {3, 8, 2, 2};  // [M, C, kh, kw]
  Layer l = conv_layer(0, 3, 8);
  Scores sc;
  sc.element.push_back(seq_scores(s, 7));
  std::vector<std::string> skipped;
  MaskSet m = nm_masks({l}, sc, 2, 4, &skipped);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_TRUE(skipped.empty());
  const Tensor& mask = m.at(0);
  const float* x = sc.element[0].data<float>();
  auto at = [&](int64_t o, int64_t c, int64_t y, int64_t z) { return ((o * 8 + c) * 2 + y) * 2 + z; };
  for (int64_t o = 0; o < 3; ++o)
    for (int64_t y = 0; y < 2; ++y)
      for (int64_t z = 0; z < 2; ++z)
        for (int64_t g = 0; g < 2; ++g) {
          std::vector<float> vals;
          int kept = 0;
          for (int64_t c = 4 * g; c < 4 * g + 4; ++c) {
            vals.push_back(x[at(o, c, y, z)]);
            kept += mask.data<float>()[at(o, c, y, z)] != 0.0f;
          }
          EXPECT_EQ(kept, 2);
          std::sort(vals.begin(), vals.end());
          for (int64_t c = 4 * g; c < 4 * g + 4; ++c)  // kept ones are the two largest
            EXPECT_EQ(mask.data<float>()[at(o, c, y, z)] != 0.0f, x[at(o, c, y, z)] >= vals[2]);
        }
}

TEST(NMMasks, GemmGroupsRunAlongTheInputAxisOfBothLayouts) {
  // transB=0: weight [in=8, out=3], input axis 0.
  Layer l;
  l.name = "fc";
  l.op = "Gemm";
  l.weight = 5;
  l.out_axis = 1;
  l.in_axis = 0;
  l.out_channels = 3;
  l.in_channels = 8;
  Scores sc;
  sc.element.push_back(seq_scores({8, 3}, 3));
  MaskSet m = nm_masks({l}, sc, 1, 4, nullptr);
  const Tensor& mask = m.at(5);
  for (int64_t o = 0; o < 3; ++o)
    for (int64_t g = 0; g < 2; ++g) {
      int kept = 0;
      int64_t best = -1;
      for (int64_t c = 4 * g; c < 4 * g + 4; ++c) {
        kept += mask.data<float>()[c * 3 + o] != 0.0f;
        if (best < 0 || sc.element[0].data<float>()[c * 3 + o] > sc.element[0].data<float>()[best * 3 + o]) best = c;
      }
      EXPECT_EQ(kept, 1);
      EXPECT_NE(mask.data<float>()[best * 3 + o], 0.0f);
    }
}

TEST(NMMasks, SkipsLayersWithFewerThanMChannelsAndRejectsNonMultiples) {
  Scores sc;
  sc.element.push_back(seq_scores({4, 1, 3, 3}, 1));
  sc.element.push_back(seq_scores({4, 6, 3, 3}, 2));
  std::vector<std::string> skipped;
  Layer first = conv_layer(0, 4, 1), second = conv_layer(1, 4, 6);
  second.name = "conv_six";
  MaskSet m = nm_masks({first}, {{sc.element[0]}, {}}, 2, 4, &skipped);
  EXPECT_TRUE(m.empty());
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_EQ(skipped[0], first.name);
  try {
    nm_masks({first, second}, sc, 2, 4, &skipped);
    FAIL() << "6 input channels are not a multiple of 4";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("'conv_six'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("M=4"), std::string::npos) << e.what();
  }
}

int64_t zeros(const Tensor& m) { return std::count(m.data<float>(), m.data<float>() + m.numel(), 0.0f); }

TEST(UnstructuredMasks, PerLayerPrunesTheLowestFraction) {
  Scores sc;
  sc.element.push_back(seq_scores({10, 4, 3, 3}, 11));
  MaskSet m = unstructured_masks({conv_layer(0, 10, 4)}, sc, 0.8, Scope::Layer, 1);
  EXPECT_EQ(zeros(m.at(0)), 288);  // round(0.8 * 360)
  float max_pruned = 0, min_kept = 2;
  for (int64_t i = 0; i < 360; ++i) {
    const float s = sc.element[0].data<float>()[i];
    if (m.at(0).data<float>()[i] == 0.0f)
      max_pruned = std::max(max_pruned, s);
    else
      min_kept = std::min(min_kept, s);
  }
  EXPECT_LE(max_pruned, min_kept);
}

TEST(UnstructuredMasks, GlobalNormalisesPerLayerAndNeverEmptiesALayer) {
  // Layer 1's scores are 1000x smaller: without normalisation a global
  // threshold would remove all of it.
  Scores sc;
  sc.element.push_back(seq_scores({8, 4, 1, 1}, 5));
  Tensor small = seq_scores({8, 4, 1, 1}, 6);
  for (int64_t i = 0; i < small.numel(); ++i) small.data<float>()[i] *= 1e-3f;
  sc.element.push_back(small);
  std::vector<Layer> layers = {conv_layer(0, 8, 4), conv_layer(1, 8, 4)};
  MaskSet m = unstructured_masks(layers, sc, 0.5, Scope::Global, 2);
  const int64_t z0 = zeros(m.at(0)), z1 = zeros(m.at(1));
  EXPECT_EQ(z0 + z1, 32);
  EXPECT_GT(z1, 4);
  EXPECT_LT(z1, 28);
  // a floor of min_channels=6 channels (24 weights) per layer holds even at 90%
  MaskSet f = unstructured_masks(layers, sc, 0.9, Scope::Global, 6);
  EXPECT_LE(zeros(f.at(0)), 8);
  EXPECT_LE(zeros(f.at(1)), 8);
}

TEST(ChannelSelection, KeepsHighestScoresAndTheMinimum) {
  ChannelPlan plan;
  plan.groups.push_back({{0}, 6});
  plan.group_of = {0};
  Scores sc;
  sc.channel.push_back({0.5, 0.1, 0.9, 0.3, 0.8, 0.2});
  std::vector<Layer> layers = {conv_layer(0, 6, 1)};
  auto keep = select_channels(layers, plan, sc, 0.5, Scope::Layer, 1);
  EXPECT_EQ(keep[0], (std::vector<int64_t>{0, 2, 4}));
  keep = select_channels(layers, plan, sc, 0.9, Scope::Layer, 4);
  EXPECT_EQ(keep[0].size(), 4u);
}

}  // namespace
}  // namespace etch::compress
