// integer_conv (the AVX2 kernels where the CPU has them: direct depthwise,
// im2col + vpmaddwd for the rest) against
// integer_conv_reference, the plain loop that defines etch's integer
// convolution: the same int32 sums, bit for bit, over geometries that reach
// every tail (odd K, output channels not a multiple of the kernel's 4,
// positions not a multiple of 16 or of the 256-position block), 8-bit inputs of
// both signs with extreme zero points, and sums that wrap around 2^32.
#include "etch/runtime/kernels/quant_conv_core.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <random>

#include "core/isa_paths.h"
#include "etch/runtime/kernels/quant_conv_onednn.h"

namespace etch::runtime {
namespace {

struct Case {
  int64_t batch, c, m, group, h, w, k, stride, pad, dilation;
};

ir::ConvGeometry geometry(const Case& c) {
  ir::ConvGeometry g;
  g.batch = c.batch;
  g.in_channels = c.c;
  g.out_channels = c.m;
  g.group = c.group;
  g.spatial_rank = 2;
  g.in[1] = c.h;
  g.in[2] = c.w;
  g.kernel[1] = g.kernel[2] = c.k;
  g.stride[1] = g.stride[2] = c.stride;
  g.dilation[1] = g.dilation[2] = c.dilation;
  g.pad_begin[1] = g.pad_begin[2] = c.pad;
  const int64_t reach = c.dilation * (c.k - 1) + 1;
  g.out[1] = (c.h + 2 * c.pad - reach) / c.stride + 1;
  g.out[2] = (c.w + 2 * c.pad - reach) / c.stride + 1;
  return g;
}

// Every (n, m, position) sum, keyed so that the order of epilogue calls (which
// differs between the two kernels and between threads) does not matter.
template <typename T>
std::map<std::pair<int64_t, int64_t>, std::vector<int32_t>> sums(bool reference, const ir::ConvGeometry& g,
                                                                 const std::vector<T>& x, int32_t x_zero,
                                                                 const std::vector<int32_t>& w) {
  const int64_t plane = g.out[0] * g.out[1] * g.out[2];
  std::map<std::pair<int64_t, int64_t>, std::vector<int32_t>> out;
  std::mutex mu;
  const IntConvEpilogue store = [&](int64_t n, int64_t m, int64_t p0, int64_t count, const int32_t* acc) {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<int32_t>& row = out[{n, m}];
    row.resize(static_cast<size_t>(plane));
    std::copy(acc, acc + count, row.begin() + p0);
  };
  if (reference)
    integer_conv_reference(g, x.data(), x_zero, w, store);
  else
    integer_conv(g, x.data(), x_zero, w, store);
  return out;
}

template <typename T>
void expect_same_sums(const Case& c, int32_t x_zero, int weight_extreme, uint32_t seed) {
  const ir::ConvGeometry g = geometry(c);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> xd(std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
  std::uniform_int_distribution<int> wd(-weight_extreme, weight_extreme);
  std::vector<T> x(static_cast<size_t>(c.batch * c.c * c.h * c.w));
  for (T& v : x) v = static_cast<T>(xd(rng));
  std::vector<int32_t> w(static_cast<size_t>(c.m * (c.c / c.group) * c.k * c.k));
  for (int32_t& v : w) v = wd(rng);
  const auto fast = sums(false, g, x, x_zero, w), ref = sums(true, g, x, x_zero, w);
  ASSERT_EQ(fast.size(), static_cast<size_t>(c.batch * c.m));
  EXPECT_TRUE(fast == ref) << "c=" << c.c << " m=" << c.m << " group=" << c.group << " " << c.h << "x" << c.w
                           << " k=" << c.k << " stride=" << c.stride;
}

const Case kCases[] = {
    {1, 3, 8, 1, 28, 28, 3, 1, 1, 1},  // odd K (27), 784 positions (blocks of 256 and a tail)
    {2, 16, 5, 1, 9, 11, 3, 2, 1, 1},  // 5 output channels: a 4-row pass and a 1-row pass
    {1, 8, 8, 8, 13, 13, 3, 1, 1, 1},  // depthwise (the direct kernel): 13 columns, one vector
    {2, 6, 6, 6, 9, 40, 5, 1, 2, 2},   // depthwise, dilated 5x5 (odd tap count), 40 columns
    {1, 4, 4, 4, 11, 11, 3, 2, 1, 1},  // depthwise with stride 2 (the im2col kernel)
    {1, 3, 3, 3, 1, 50, 1, 1, 0, 1},   // depthwise 1x1 on a single row
    {1, 5, 5, 5, 12, 20, 2, 1, 0, 1},  // depthwise 2x2: an even tap count
    {1, 3, 3, 3, 5, 64, 3, 1, 1, 1},   // depthwise, 64 columns: two 32-column vectors (AVX-512)
    {2, 4, 4, 4, 9, 70, 3, 2, 1, 1},   // depthwise stride 2, 35 columns: a 32-column vector and a 16-column one
    {1, 12, 6, 3, 10, 7, 1, 1, 0, 1},  // grouped 1x1, K = 4
    {1, 4, 7, 1, 17, 19, 5, 1, 4, 2},  // dilated 5x5 with wide padding
    {3, 1, 2, 1, 1, 1, 1, 1, 0, 1},    // one position, K = 1
    {1, 6, 3, 1, 16, 16, 2, 2, 0, 1},  // exactly 64 positions
    {2, 7, 5, 1, 9, 13, 1, 1, 0, 1},   // 1x1 (rows paired in registers): odd K, 117 positions
    {1, 10, 4, 2, 6, 6, 1, 1, 0, 1},   // grouped 1x1 with K = 5 per group
    {1, 8, 4, 1, 9, 9, 1, 2, 0, 1},    // 1x1 with stride 2: the general im2col
};

TEST(IntegerConvFast, EqualsReferenceOnUint8AndInt8Inputs) {
  etch::testing::for_each_isa_path([] {
    uint32_t seed = 1;
    for (const Case& c : kCases) {
      expect_same_sums<uint8_t>(c, 0, 127, seed++);
      expect_same_sums<uint8_t>(c, 255, 255, seed++);
      expect_same_sums<int8_t>(c, -128, 255, seed++);
      expect_same_sums<int8_t>(c, 127, 128, seed++);
    }
  });
}

TEST(IntegerConvFast, WrapsAroundLikeTheReference) {
  // 1x1 over 40,000 channels of (255 − 0)·255: the sum exceeds 2^31 and wraps.
  const Case c{1, 40000, 2, 1, 2, 3, 1, 1, 0, 1};
  const ir::ConvGeometry g = geometry(c);
  const std::vector<uint8_t> x(static_cast<size_t>(c.c * c.h * c.w), 255);
  const std::vector<int32_t> w(static_cast<size_t>(c.m * c.c), 255);
  const auto fast = sums(false, g, x, 0, w), ref = sums(true, g, x, 0, w);
  const int32_t wrapped = static_cast<int32_t>(static_cast<uint32_t>(40000u * 255u * 255u));
  ASSERT_TRUE(ref == fast);
  EXPECT_EQ(ref.at({0, 1})[5], wrapped);
  EXPECT_LT(wrapped, 0);
}

// Convolutions large enough for oneDNN's int8 kernels (K >= 96, >= 16 output
// channels, >= 0.5M multiply-adds): several 64-channel blocks and row bands,
// padding (copied in as the zero point), stride 2 skipping the last column,
// dilation, a one-row image padded above and below, and a 1x1.
const Case kOnednnCases[] = {
    {1, 32, 80, 1, 30, 33, 3, 1, 1, 1},   // 64 + 16 channels, K = 288
    {2, 16, 32, 1, 45, 50, 3, 2, 1, 1},   // batch 2, stride 2
    {1, 32, 24, 1, 41, 42, 3, 2, 0, 1},   // no padding, the last column unread
    {1, 24, 32, 1, 40, 40, 5, 1, 4, 2},   // dilated 5x5
    {1, 128, 32, 1, 1, 700, 3, 1, 1, 1},  // one row: padding rows above and below
    {1, 96, 16, 1, 64, 40, 1, 1, 0, 1},   // 1x1, 2,560 positions (4 bands)
};

TEST(IntegerConvOnednn, TakesLargeConvsWhereTheCpuHasInt8DotProductsAndEqualsReference) {
  uint32_t seed = 100;
  for (const Case& c : kOnednnCases) {
    const ir::ConvGeometry g = geometry(c);
    const std::vector<int32_t> int8_weights(static_cast<size_t>(c.m * c.c * c.k * c.k), -128);
    EXPECT_EQ(onednn_integer_conv_supported(g, int8_weights), onednn_int8_dot_products()) << "c=" << c.c;
    std::vector<int32_t> wide = int8_weights;
    wide[7] = 128;  // outside int8: never this path
    EXPECT_FALSE(onednn_integer_conv_supported(g, wide));
    expect_same_sums<uint8_t>(c, 0, 127, seed++);
    expect_same_sums<uint8_t>(c, 255, 127, seed++);
    expect_same_sums<int8_t>(c, -128, 127, seed++);
    expect_same_sums<int8_t>(c, 77, 127, seed++);
    expect_same_sums<uint8_t>(c, 3, 255, seed++);  // weights beyond int8: the AVX2 kernel
  }
}

TEST(IntegerConvOnednn, LeavesSmallAndGroupedConvsToTheDirectKernels) {
  const std::vector<int32_t> w(static_cast<size_t>(16 * 32 * 9), 1);
  EXPECT_FALSE(onednn_integer_conv_supported(geometry({1, 32, 16, 1, 7, 7, 3, 1, 1, 1}), w));    // 0.2M MACs
  EXPECT_FALSE(onednn_integer_conv_supported(geometry({1, 64, 16, 2, 40, 40, 3, 1, 1, 1}), w));  // grouped
  EXPECT_FALSE(onednn_integer_conv_supported(geometry({1, 64, 192, 1, 40, 40, 1, 1, 0, 1}),
                                             std::vector<int32_t>(64 * 192, 1)));  // K = 64
}

}  // namespace
}  // namespace etch::runtime
