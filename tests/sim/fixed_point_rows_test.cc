// The vector rows of requantization (AVX-512 and AVX2 where the CPU has them)
// against fixed_point.h's element-by-element arithmetic, on random and
// extreme values.
#include "etch/sim/fixed_point_rows.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>
#include <vector>

#include "core/isa_paths.h"
#include "etch/sim/fixed_point.h"

namespace etch::sim {
namespace {

int8_t want_requant(int32_t acc, int32_t bias, int32_t mult, int shift, int32_t zp, int32_t lo, int32_t hi) {
  const int32_t biased = static_cast<int32_t>(static_cast<uint32_t>(acc) + static_cast<uint32_t>(bias));
  return static_cast<int8_t>(std::clamp<int64_t>(int64_t{mbqm_right(biased, mult, shift)} + zp, lo, hi));
}

void expect_requant_rows_match() {
  std::mt19937_64 rng(5);
  const int32_t kMin = std::numeric_limits<int32_t>::min(), kMax = std::numeric_limits<int32_t>::max();
  for (int trial = 0; trial < 400; ++trial) {
    const int64_t n = 1 + static_cast<int64_t>(rng() % 70);
    std::vector<int32_t> acc(static_cast<size_t>(n));
    for (int64_t p = 0; p < n; ++p) {
      const uint64_t r = rng();
      acc[p] = p % 9 == 0   ? kMin
               : p % 9 == 1 ? kMax
               : r % 3 == 0 ? static_cast<int32_t>(r >> 32)
                            : static_cast<int32_t>(r % 200001) - 100000;
    }
    const int32_t bias = trial % 5 == 0 ? kMax : static_cast<int32_t>(rng() % 20001) - 10000;
    const int32_t mult = trial % 7 == 0 ? kMax : trial % 7 == 1 ? 0 : static_cast<int32_t>(rng() & 0x7fffffff);
    const int shift = -static_cast<int>(rng() % 32);
    const int32_t zp = static_cast<int32_t>(rng() % 256) - 128;
    const int32_t lo = trial % 2 ? -128 : zp, hi = 127;
    std::vector<int8_t> got(static_cast<size_t>(n));
    requant_row_right(acc.data(), bias, mult, shift, zp, lo, hi, got.data(), n);
    for (int64_t p = 0; p < n; ++p)
      ASSERT_EQ(got[p], want_requant(acc[p], bias, mult, shift, zp, lo, hi))
          << "trial " << trial << " p " << p << " acc " << acc[p] << " mult " << mult << " shift " << shift;
  }
}

TEST(FixedPointRows, RequantMatchesElementwiseOnRandomAndExtremeValues) {
  etch::testing::for_each_isa_path([] { expect_requant_rows_match(); });
}

TEST(FixedPointRows, AddMatchesElementwise) {
  std::mt19937_64 rng(9);
  for (int trial = 0; trial < 300; ++trial) {
    const int64_t n = 1 + static_cast<int64_t>(rng() % 50);
    std::vector<int8_t> a(static_cast<size_t>(n)), b(static_cast<size_t>(n)), got(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) a[i] = static_cast<int8_t>(rng()), b[i] = static_cast<int8_t>(rng());
    AddRow r{};
    r.azp = static_cast<int32_t>(rng() % 256) - 128;
    r.bzp = static_cast<int32_t>(rng() % 256) - 128;
    r.ls = trial % 3 == 0 ? 20 : static_cast<int32_t>(rng() % 21);
    r.am = static_cast<int32_t>(rng() & 0x7fffffff);
    r.bm = static_cast<int32_t>(rng() & 0x7fffffff);
    r.ym = static_cast<int32_t>(rng() & 0x7fffffff);
    r.as = -static_cast<int>(rng() % 32);
    r.bs = -static_cast<int>(rng() % 32);
    r.ys = -static_cast<int>(rng() % 32);
    r.yzp = static_cast<int32_t>(rng() % 256) - 128;
    r.lo = trial % 2 ? -128 : r.yzp;
    r.hi = 127;
    add_row_right(r, a.data(), b.data(), got.data(), n);
    for (int64_t i = 0; i < n; ++i) {
      const int32_t sa = mbqm_right((a[i] - r.azp) * (1 << r.ls), r.am, r.as);
      const int32_t sb = mbqm_right((b[i] - r.bzp) * (1 << r.ls), r.bm, r.bs);
      const int32_t sum = static_cast<int32_t>(static_cast<uint32_t>(sa) + static_cast<uint32_t>(sb));
      const int64_t v = int64_t{mbqm_right(sum, r.ym, r.ys)} + r.yzp;
      ASSERT_EQ(got[i], static_cast<int8_t>(std::clamp<int64_t>(v, r.lo, r.hi))) << "trial " << trial << " i " << i;
    }
  }
}

TEST(FixedPointRows, AddInPlaceAndOverlappingKeepsElementOrder) {
  AddRow r{};
  r.azp = 3, r.bzp = -5, r.ls = 20, r.am = 1 << 30, r.bm = 1 << 30, r.ym = 1 << 30;
  r.as = r.bs = -1, r.ys = -19, r.yzp = 1, r.lo = -128, r.hi = 127;
  auto one = [&](int8_t a, int8_t b) {
    const int32_t sa = mbqm_right((a - r.azp) * (1 << r.ls), r.am, r.as);
    const int32_t sb = mbqm_right((b - r.bzp) * (1 << r.ls), r.bm, r.bs);
    return static_cast<int8_t>(std::clamp<int64_t>(int64_t{mbqm_right(sa + sb, r.ym, r.ys)} + r.yzp, r.lo, r.hi));
  };
  std::vector<int8_t> buf(64);
  for (int i = 0; i < 64; ++i) buf[i] = static_cast<int8_t>(i * 11 - 90);
  // y shifted 3 past a (and b = a): each element reads what the one three before wrote.
  std::vector<int8_t> want = buf;
  for (int i = 0; i < 40; ++i) want[i + 3] = one(want[i], want[i]);
  add_row_right(r, buf.data(), buf.data(), buf.data() + 3, 40);
  EXPECT_EQ(buf, want);
  // In place (y == a): the vector path, same as element by element.
  std::vector<int8_t> a(33), b(33);
  for (int i = 0; i < 33; ++i) a[i] = static_cast<int8_t>(i * 7), b[i] = static_cast<int8_t>(100 - i * 5);
  std::vector<int8_t> in_place = a;
  add_row_right(r, in_place.data(), b.data(), in_place.data(), 33);
  for (int i = 0; i < 33; ++i) EXPECT_EQ(in_place[i], one(a[i], b[i])) << i;
}

}  // namespace
}  // namespace etch::sim
