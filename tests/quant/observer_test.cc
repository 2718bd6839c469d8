#include "etch/quant/observer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "etch/core/error.h"

namespace etch::quant {
namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

TEST(MinMaxObserver, TracksExtremesAcrossBatchesAndSkipsNonFinite) {
  MinMaxObserver o;
  o.observe(std::vector<float>{1.0f, -2.0f, 3.0f});
  o.observe(std::vector<float>{0.5f, 4.0f});
  o.observe(std::vector<float>{kNaN, -3.0f, kInf});
  EXPECT_EQ(o.range(), (Range{-3.0f, 4.0f}));
  EXPECT_EQ(o.count(), 6);
  EXPECT_EQ(o.nonfinite_count(), 2);
}

TEST(MinMaxObserver, EmptyObserverHasNoRange) {
  MinMaxObserver o;
  o.observe(std::vector<float>{kNaN});
  EXPECT_TRUE(o.empty());
  try {
    o.range();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("no finite value"), std::string::npos) << e.what();
  }
}

TEST(MinMaxObserver, AcceptsTensors) {
  MinMaxObserver o;
  o.observe(Tensor::from_vector<float>({2, 2}, {0.25f, -0.5f, 7.0f, 1.0f}));
  o.observe(Tensor::from_vector<int32_t>({2}, {-9, 2}));  // converted to float
  EXPECT_EQ(o.range(), (Range{-9.0f, 7.0f}));
}

TEST(MovingAverageMinMaxObserver, FirstBatchSetsThenAverages) {
  MovingAverageMinMaxObserver o;  // averaging constant 0.01
  o.observe(std::vector<float>{0.0f, 1.0f});
  EXPECT_EQ(o.range(), (Range{0.0f, 1.0f}));
  o.observe(std::vector<float>{-1.0f, 3.0f});
  // min: 0 + 0.01·(−1 − 0) = −0.01; max: 1 + 0.01·(3 − 1) = 1.02.
  EXPECT_FLOAT_EQ(o.range().min, -0.01f);
  EXPECT_FLOAT_EQ(o.range().max, 1.02f);
}

TEST(MovingAverageMinMaxObserver, RejectsBadConstant) {
  EXPECT_THROW(MovingAverageMinMaxObserver(0.0f), Error);
  EXPECT_THROW(MovingAverageMinMaxObserver(1.5f), Error);
}

TEST(HistogramObserver, GrowsByMergingBinsExactly) {
  HistogramObserver h(4);
  h.observe(std::vector<float>{0.0f, 1.0f, 2.0f, 3.0f});
  // width 3/(4−1) = 1, bins [0,1) [1,2) [2,3) [3,4).
  EXPECT_EQ(h.bin_width(), 1.0);
  EXPECT_EQ(h.edge(0), 0.0);
  EXPECT_EQ(h.counts(), (std::vector<int64_t>{1, 1, 1, 1}));
  h.observe(std::vector<float>{-4.0f});
  // width 2, bins [−4,−2) [−2,0) [0,2) [2,4): old pairs merge.
  EXPECT_EQ(h.bin_width(), 2.0);
  EXPECT_EQ(h.edge(0), -4.0);
  EXPECT_EQ(h.counts(), (std::vector<int64_t>{1, 0, 2, 2}));
  h.observe(std::vector<float>{9.0f});
  // width 4, bins [−4,0) [0,4) [4,8) [8,12).
  EXPECT_EQ(h.bin_width(), 4.0);
  EXPECT_EQ(h.edge(0), -4.0);
  EXPECT_EQ(h.counts(), (std::vector<int64_t>{1, 4, 0, 1}));
  EXPECT_EQ(h.range(), (Range{-4.0f, 9.0f}));
}

TEST(HistogramObserver, EveryValueLandsInItsBin) {
  HistogramObserver h;  // 2048 bins
  std::vector<float> a, b;
  for (int i = 0; i < 1000; ++i) a.push_back(static_cast<float>(i) / 1000.0f);
  for (int i = 0; i < 1000; ++i) b.push_back(-10.0f + static_cast<float>(i) * 0.05f);
  h.observe(a);
  h.observe(b);
  ASSERT_EQ(h.bins(), 2048);
  int64_t total = 0;
  for (int64_t c : h.counts()) total += c;
  EXPECT_EQ(total, 2000);
  EXPECT_LE(h.edge(0), -10.0);
  EXPECT_GT(h.edge(2048), 39.95 - 1e-9);
  // Recount both batches with the final bin edges: the merged histogram must
  // agree exactly, since old edges are a subset of new ones.
  std::vector<int64_t> expect(2048, 0);
  for (const auto* batch : {&a, &b})
    for (float v : *batch) ++expect[static_cast<size_t>(std::floor(v / h.bin_width()) - h.first_index())];
  EXPECT_EQ(h.counts(), expect);
}

TEST(HistogramObserver, ConstantAndZeroBatchesAreSafe) {
  HistogramObserver z;
  z.observe(std::vector<float>{0.0f, 0.0f});
  EXPECT_GT(z.bin_width(), 0.0);
  EXPECT_EQ(z.range(), (Range{0.0f, 0.0f}));
  HistogramObserver c(8);
  c.observe(std::vector<float>{5.0f, 5.0f, 5.0f});
  c.observe(std::vector<float>{-1.0f, kNaN});
  EXPECT_EQ(c.range(), (Range{-1.0f, 5.0f}));
  EXPECT_EQ(c.count(), 4);
  EXPECT_LE(c.edge(0), -1.0);
  EXPECT_GT(c.edge(8), 5.0);
}

TEST(HistogramObserver, FarAwayValueDoesNotOverflow) {
  HistogramObserver h;
  h.observe(std::vector<float>{1e-6f, 2e-6f});
  h.observe(std::vector<float>{3e38f});
  EXPECT_EQ(h.range().max, 3e38f);
  EXPECT_GT(h.edge(h.bins()), 3e38);
  int64_t total = 0;
  for (int64_t c : h.counts()) total += c;
  EXPECT_EQ(total, 3);
  EXPECT_EQ(h.edge(0), 0.0);  // the two tiny values share the first bin [0, w)
  EXPECT_EQ(h.counts().front(), 2);
}

}  // namespace
}  // namespace etch::quant
