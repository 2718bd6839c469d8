// The array's multiply-accumulate on interleaved pairs (AVX2 or portable, by
// the CPU) and on offset quads (AVX-512 VNNI or portable) against a plain
// loop over the planar im2col matrix.
#include "etch/sim/array_madd.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "core/isa_paths.h"

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
      std::vector<int8_t> w(static_cast<size_t>(2 * pairs), 0);
      for (int64_t j = 0; j < k; ++j) w[j] = static_cast<int8_t>(j % 5 == 1 ? 0 : int8(rng));  // some zero weights
      if (k >= 8) std::fill(w.begin(), w.begin() + 8, int8_t{0});                              // a whole zero group
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

// Several columns over the same inputs, in both layouts (the VNNI quad
// kernel takes four columns at a time and the rest one block, 16 pixels per
// register and up to 64 per pass with a masked tail, quads listed 1,024 at a
// time): each column's result is the planar sum of its own weights, added
// onto what its row held; accumulators wrap like the hardware's.
TEST(ArrayMadd, ColumnsMatchThePlanarSumForAnyColumnCount) {
  std::mt19937 rng(23);
  std::uniform_int_distribution<int> int8(-128, 127);
  for (const int64_t cols : {1, 2, 3, 4, 5, 7, 16}) {
    for (const int64_t k : {1, 9, 33, 4099}) {
      for (const int64_t n : {3, 16, 17, 40, 49, 64, 100, 130}) {
        std::vector<int8_t> planar(static_cast<size_t>(k * n));
        for (auto& v : planar) v = static_cast<int8_t>(int8(rng));
        const int64_t stride = madd_weight_stride(k), pairs = madd_pairs(k), quads = madd_quads(k);
        std::vector<std::vector<int8_t>> w(cols, std::vector<int8_t>(static_cast<size_t>(stride), 0));
        std::vector<int32_t> wsum(cols, 0);
        for (int64_t c = 0; c < cols; ++c)
          for (int64_t j = 0; j < k; ++j) {
            // Some zero weights, and whole zero quads in every column.
            w[c][j] = static_cast<int8_t>((j + c) % 4 == 1 || (j / 4) % 3 == 2 ? 0 : int8(rng));
            wsum[c] += w[c][j];
          }
        std::vector<int16_t> xp(static_cast<size_t>(pairs * 2 * n));
        for (int64_t q = 0; q < pairs; ++q)
          interleave_pair_row(xp.data() + q * 2 * n, planar.data() + 2 * q * n,
                              2 * q + 1 < k ? planar.data() + (2 * q + 1) * n : nullptr, n, 1);
        std::vector<uint8_t> xq(static_cast<size_t>(quads * 4 * n));
        for (int64_t q = 0; q < quads; ++q) {
          const int8_t* rows[4];
          for (int j = 0; j < 4; ++j) rows[j] = 4 * q + j < k ? planar.data() + (4 * q + j) * n : nullptr;
          interleave_quad_row(xq.data() + q * 4 * n, rows, n, 1);
        }
        std::vector<std::vector<int32_t>> start(cols, std::vector<int32_t>(static_cast<size_t>(n)));
        std::vector<std::vector<int32_t>> want = start;
        std::vector<const int8_t*> wrows;
        for (int64_t c = 0; c < cols; ++c) {
          for (int64_t p = 0; p < n; ++p) {
            // Near the int32 limit: the sums wrap.
            start[c][p] = static_cast<int32_t>(2147483000 - 97 * p - c);
            uint32_t sum = static_cast<uint32_t>(start[c][p]);
            for (int64_t j = 0; j < k; ++j) sum += static_cast<uint32_t>(w[c][j] * planar[j * n + p]);
            want[c][p] = static_cast<int32_t>(sum);
          }
          wrows.push_back(w[c].data());
        }
        for (const bool use_quads : {false, true}) {
          std::vector<std::vector<int32_t>> acc = start;
          std::vector<int32_t*> rows;
          for (auto& a : acc) rows.push_back(a.data());
          if (use_quads)
            accumulate_quad_columns(rows.data(), xq.data(), wrows.data(), wsum.data(), cols, quads, n);
          else
            accumulate_pair_columns(rows.data(), xp.data(), wrows.data(), cols, pairs, n);
          EXPECT_EQ(acc, want) << (use_quads ? "quads" : "pairs") << " cols=" << cols << " k=" << k << " n=" << n;
        }
      }
    }
  }
}

// A weight row copied and padded to whole quads, with its sum: lengths around
// the 16-byte vector blocks, and rows of only -128 or 127 (the widest sums).
TEST(ArrayMadd, CopiesAWeightRowWithItsSum) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> dist(-128, 127);
  for (int64_t k = 0; k <= 70; ++k)
    for (const int fill : {0, -128, 127}) {
      std::vector<int8_t> w(k);
      for (auto& v : w) v = static_cast<int8_t>(fill == 0 ? dist(rng) : fill);
      const int64_t stride = madd_weight_stride(k);
      std::vector<int8_t> dst(stride + 1, 55), want(stride + 1, 0);
      want[stride] = 55;  // the byte after the row is not written
      int32_t want_sum = 0;
      for (int64_t j = 0; j < k; ++j) want[j] = w[j], want_sum += w[j];
      EXPECT_EQ(copy_weight_row(w.data(), k, stride, dst.data()), want_sum) << "k=" << k << " fill " << fill;
      EXPECT_EQ(dst, want) << "k=" << k << " fill " << fill;
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

// Quads: four rows' bytes per pixel, offset by 128 (so -128 -> 0, 127 -> 255),
// a missing row reading as 0 (byte 128); strided rows and the 16-pixel vector
// path with its tail.
TEST(ArrayMadd, InterleavesQuadsOffsetBy128) {
  const std::vector<int8_t> r0 = {1, -2, 3, -4}, r1 = {-128, 127, 0, 9}, r2 = {5, 6, 7, 8};
  std::vector<uint8_t> dst(8);
  const int8_t* rows[4] = {r0.data(), r1.data(), r2.data(), nullptr};
  interleave_quad_row(dst.data(), rows, 2, 2);  // every second pixel
  EXPECT_EQ(dst, (std::vector<uint8_t>{129, 0, 133, 128, 131, 128, 135, 128}));
  // 150 pixels: two 64-pixel AVX-512 blocks (where the CPU has them), 16-pixel
  // SSE blocks and a scalar tail.
  std::vector<std::vector<int8_t>> r(4, std::vector<int8_t>(150));
  for (int j = 0; j < 4; ++j)
    for (int i = 0; i < 150; ++i) r[j][i] = static_cast<int8_t>(i * (7 + 2 * j) - 100 + 31 * j);
  const int8_t* all[4] = {r[0].data(), r[1].data(), r[2].data(), r[3].data()};
  etch::testing::for_each_isa_path([&] {
    for (const int n : {37, 150}) {
      std::vector<uint8_t> wide(4 * n);
      interleave_quad_row(wide.data(), all, n, 1);
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < 4; ++j)
          ASSERT_EQ(wide[4 * i + j], r[j][i] + 128) << "pixel " << i << " row " << j << " of " << n;
    }
  });
  // Every second pixel of 18 (a strided convolution: the rows are gathered
  // before the vector path) with the last row missing; the rows end at byte
  // 34, the last one read, so ASan sees any read past it.
  std::vector<std::vector<int8_t>> cut;
  for (int j = 0; j < 3; ++j) cut.emplace_back(r[j].begin(), r[j].begin() + 35);
  const int8_t* strided[4] = {cut[0].data(), cut[1].data(), cut[2].data(), nullptr};
  std::vector<uint8_t> half(4 * 18);
  interleave_quad_row(half.data(), strided, 18, 2);
  for (int i = 0; i < 18; ++i) {
    for (int j = 0; j < 3; ++j) EXPECT_EQ(half[4 * i + j], r[j][2 * i] + 128) << "pixel " << i << " row " << j;
    EXPECT_EQ(half[4 * i + 3], 128) << "pixel " << i;
  }
}

}  // namespace
}  // namespace etch::sim
