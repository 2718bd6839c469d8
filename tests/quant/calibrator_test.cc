#include "etch/quant/calibrator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "etch/core/error.h"

namespace etch::quant {
namespace {

// Deterministic N(0, 1) samples (Box–Muller over mt19937's exact sequence).
std::vector<float> gaussian(int n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<float> v;
  while (static_cast<int>(v.size()) < n) {
    double u1 = (rng() + 1.0) / 4294967297.0, u2 = rng() / 4294967296.0;
    v.push_back(static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2)));
  }
  return v;
}

TEST(Calibration, ParsesNamesAndRejectsUnknown) {
  EXPECT_EQ(parse_calibration("entropy"), Calibration::Entropy);
  EXPECT_STREQ(calibration_name(parse_calibration("mse")), "mse");
  EXPECT_EQ(parse_calibration("sample-mse"), Calibration::SampleMse);
  EXPECT_STREQ(calibration_name(Calibration::SampleMse), "sample-mse");
  try {
    parse_calibration("kl");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("'kl'"), std::string::npos) << e.what();
  }
}

TEST(PercentileCalibration, UniformIntegers) {
  HistogramObserver h;
  std::vector<float> v;
  for (int i = 0; i < 10000; ++i) v.push_back(static_cast<float>(i));
  h.observe(v);
  // 99 % of 0..9999 lie below ~9900, 1 % below ~100; values are spread evenly
  // so in-bin interpolation is good to about a bin width (≈ 4.9).
  Range r = percentile_range(h, 99.0);
  EXPECT_NEAR(r.max, 9900.0f, 5.0f);
  EXPECT_NEAR(r.min, 100.0f, 5.0f);
  EXPECT_EQ(percentile_range(h, 100.0), (Range{0.0f, 9999.0f}));
  EXPECT_THROW(percentile_range(h, 20.0), Error);
}

TEST(EntropyCalibration, ClipsLongTail) {
  HistogramObserver h;
  std::vector<float> v = gaussian(20000, 1);
  for (int i = 0; i < 5; ++i) v.push_back(1000.0f);  // a few huge outliers
  h.observe(v);
  Range mm = calibrate(h, Calibration::MinMax);
  Range e = entropy_range(h);
  EXPECT_EQ(mm.max, 1000.0f);
  EXPECT_LT(e.max, 0.2f * mm.max);
  EXPECT_GT(e.max, 3.0f);    // keeps the bulk of the Gaussian
  EXPECT_EQ(e.min, mm.min);  // |min| < threshold: nothing to clip below
}

TEST(EntropyCalibration, NarrowHistogramKeepsMinMax) {
  // Everything in fewer |x| bins than quantized levels: no threshold to choose.
  HistogramObserver h(64);
  h.observe(std::vector<float>{-1.0f, 0.5f, 2.0f});
  EXPECT_EQ(entropy_range(h, 128), (Range{-1.0f, 2.0f}));
}

TEST(EntropyCalibration, Deterministic) {
  HistogramObserver a, b;
  std::vector<float> v = gaussian(5000, 7);
  v.push_back(-200.0f);
  a.observe(v);
  b.observe(v);
  EXPECT_EQ(entropy_range(a), entropy_range(b));
}

TEST(MseCalibration, BetweenPercentileAndMinMaxForGaussianWithOutliers) {
  HistogramObserver h;
  std::vector<float> v = gaussian(100000, 3);
  for (float o : {50.0f, 50.0f, -50.0f, -50.0f}) v.push_back(o);
  h.observe(v);
  Range p = percentile_range(h, 99.99);
  Range m = mse_range(h);
  Range mm = h.range();
  EXPECT_LT(p.max, 5.0f);  // the 2 outliers per side are < 0.01 % of the data
  EXPECT_GT(m.max, p.max);
  EXPECT_LT(m.max, mm.max);
  EXPECT_LT(m.min, p.min);
  EXPECT_GT(m.min, mm.min);
}

TEST(MseCalibration, UniformDataKeepsNearlyFullRange) {
  // Error ≈ N·[(2R)²/255²/12 + (1 − R)³/3] is minimal at R ≈ 0.997.
  HistogramObserver h;
  std::vector<float> v;
  for (int i = 0; i <= 20000; ++i) v.push_back(-1.0f + static_cast<float>(i) / 10000.0f);
  h.observe(v);
  Range m = mse_range(h);
  EXPECT_GT(m.max, 0.98f);
  EXPECT_LE(m.max, 1.0f);
  EXPECT_LT(m.min, -0.98f);
  EXPECT_GE(m.min, -1.0f);
}

TEST(MseCalibration, PositiveDataRangeStartsAtZero) {
  HistogramObserver h;
  h.observe(std::vector<float>{1000.0f, 1000.5f, 1001.0f});
  Range m = mse_range(h);
  EXPECT_EQ(m.min, 0.0f);
  EXPECT_NEAR(m.max, 1001.0f, 1.0f);
}

TEST(SampleQuantileRange, CoversNinetyPercentOfTheSamples) {
  // Ten samples with ranges [-k, 2k], k = 1..10 (given out of order): the
  // range covering 9 of them is [-9, 18]; one outlier cannot move it.
  std::vector<Range> r;
  for (int k : {7, 3, 10, 1, 5, 9, 2, 8, 6, 4}) r.push_back({-static_cast<float>(k), 2.0f * k});
  EXPECT_EQ(sample_quantile_range(r), (Range{-9.0f, 18.0f}));
  r[2] = {-1000.0f, 2000.0f};  // sample 10 becomes an outlier
  EXPECT_EQ(sample_quantile_range(r), (Range{-9.0f, 18.0f}));
  EXPECT_EQ(sample_quantile_range(r, 1.0), (Range{-1000.0f, 2000.0f}));
  EXPECT_EQ(sample_quantile_range(r, 0.5), (Range{-5.0f, 10.0f}));
  EXPECT_EQ(sample_quantile_range({}), (Range{}));
}

}  // namespace
}  // namespace etch::quant
