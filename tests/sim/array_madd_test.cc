// The array's multiply-accumulate on interleaved pairs (AVX2 or portable, by
// the CPU) against a plain loop over the planar im2col matrix.
#include "etch/sim/array_madd.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace etch::sim {
namespace {

TEST(ArrayMadd, MatchesPlanarSumForAnyKAndPixelCount) {
  std::mt19937 rng(17);
  std::uniform_int_distribution<int> int8(-128, 127);
  for (const int64_t k : {1, 2, 3, 7, 8, 9, 16, 17, 33}) {
    for (const int64_t n : {1, 5, 8, 15, 16, 17, 40}) {
      std::vector<int8_t> planar(static_cast<size_t>(k * n));  // x_j[p] at [j][p]
      for (auto& v : planar) v = static_cast<int8_t>(int8(rng));
      const int64_t pairs = madd_pairs(k);
      std::vector<int16_t> w(static_cast<size_t>(2 * pairs), 0);
      for (int64_t j = 0; j < k; ++j) w[j] = static_cast<int16_t>(j % 5 == 1 ? 0 : int8(rng));  // some zero weights
      if (k >= 8) std::fill(w.begin(), w.begin() + 8, int16_t{0});                              // a whole zero group
      std::vector<int16_t> x(static_cast<size_t>(pairs * 2 * n));
      for (int64_t q = 0; q < pairs; ++q)
        interleave_pair_row(x.data() + q * 2 * n, planar.data() + 2 * q * n,
                            2 * q + 1 < k ? planar.data() + (2 * q + 1) * n : nullptr, n, 1);
      std::vector<int32_t> acc(static_cast<size_t>(n)), want(static_cast<size_t>(n));
      for (int64_t p = 0; p < n; ++p) acc[p] = want[p] = static_cast<int32_t>(p * 1000 - 7);  // accumulates onto
      for (int64_t p = 0; p < n; ++p)
        for (int64_t j = 0; j < k; ++j) want[p] += w[j] * planar[j * n + p];
      accumulate_pairs(acc.data(), x.data(), w.data(), pairs, n);
      EXPECT_EQ(acc, want) << "k=" << k << " n=" << n;
    }
  }
}

// Several columns over the same inputs (the VNNI kernel takes four at a time
// and the rest one block, 16 pixels per register with a masked tail): each
// column's result is the planar sum of its own weights, added onto what its
// row held; accumulators wrap like the hardware's.
TEST(ArrayMadd, ColumnsMatchThePlanarSumForAnyColumnCount) {
  std::mt19937 rng(23);
  std::uniform_int_distribution<int> int8(-128, 127);
  for (const int64_t cols : {1, 2, 3, 4, 5, 7, 16}) {
    for (const int64_t k : {1, 9, 33}) {
      for (const int64_t n : {3, 16, 17, 40}) {
        std::vector<int8_t> planar(static_cast<size_t>(k * n));
        for (auto& v : planar) v = static_cast<int8_t>(int8(rng));
        const int64_t pairs = madd_pairs(k);
        std::vector<std::vector<int16_t>> w(cols, std::vector<int16_t>(static_cast<size_t>(2 * pairs), 0));
        for (int64_t c = 0; c < cols; ++c)
          for (int64_t j = 0; j < k; ++j) w[c][j] = static_cast<int16_t>((j + c) % 4 == 1 ? 0 : int8(rng));
        std::vector<int16_t> x(static_cast<size_t>(pairs * 2 * n));
        for (int64_t q = 0; q < pairs; ++q)
          interleave_pair_row(x.data() + q * 2 * n, planar.data() + 2 * q * n,
                              2 * q + 1 < k ? planar.data() + (2 * q + 1) * n : nullptr, n, 1);
        std::vector<std::vector<int32_t>> acc(cols, std::vector<int32_t>(static_cast<size_t>(n)));
        std::vector<std::vector<int32_t>> want = acc;
        std::vector<int32_t*> rows;
        std::vector<const int16_t*> wrows;
        for (int64_t c = 0; c < cols; ++c) {
          for (int64_t p = 0; p < n; ++p) {
            // Near the int32 limit: the sums wrap.
            acc[c][p] = static_cast<int32_t>(2147483000 - 97 * p - c);
            uint32_t sum = static_cast<uint32_t>(acc[c][p]);
            for (int64_t j = 0; j < k; ++j) sum += static_cast<uint32_t>(w[c][j] * planar[j * n + p]);
            want[c][p] = static_cast<int32_t>(sum);
          }
          rows.push_back(acc[c].data());
          wrows.push_back(w[c].data());
        }
        accumulate_pair_columns(rows.data(), x.data(), wrows.data(), cols, pairs, n);
        EXPECT_EQ(acc, want) << "cols=" << cols << " k=" << k << " n=" << n;
      }
    }
  }
}

TEST(ArrayMadd, InterleavesStridedRowsAndPadsAMissingSecondRow) {
  const std::vector<int8_t> r0 = {1, -2, 3, -4, 5, -6, 7}, r1 = {-128, 127, 0, 9, 10, 11, 12};
  std::vector<int16_t> dst(8);
  interleave_pair_row(dst.data(), r0.data(), r1.data(), 4, 2);  // every second pixel
  EXPECT_EQ(dst, (std::vector<int16_t>{1, -128, 3, 0, 5, 10, 7, 12}));
  interleave_pair_row(dst.data(), r0.data(), nullptr, 4, 1);
  EXPECT_EQ(dst, (std::vector<int16_t>{1, 0, -2, 0, 3, 0, -4, 0}));
  std::vector<int8_t> a(37), b(37);  // the 16-pixel vector path and its tail
  for (int i = 0; i < 37; ++i) a[i] = static_cast<int8_t>(i * 7 - 100), b[i] = static_cast<int8_t>(-i * 5 + 60);
  std::vector<int16_t> wide(74);
  interleave_pair_row(wide.data(), a.data(), b.data(), 37, 1);
  for (int i = 0; i < 37; ++i) {
    EXPECT_EQ(wide[2 * i], a[i]) << i;
    EXPECT_EQ(wide[2 * i + 1], b[i]) << i;
  }
}

}  // namespace
}  // namespace etch::sim
