// The simulator's requantization arithmetic is a second implementation of
// runtime/requantize; they must agree bit for bit everywhere.
#include "etch/sim/fixed_point.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "etch/runtime/requantize.h"

namespace etch::sim {
namespace {

TEST(FixedPoint, MatchesRuntimeOnRandomAndEdgeValues) {
  std::mt19937_64 rng(3);
  const int32_t edges[] = {0,
                           1,
                           -1,
                           2,
                           -2,
                           1 << 30,
                           -(1 << 30),
                           std::numeric_limits<int32_t>::max(),
                           std::numeric_limits<int32_t>::min(),
                           12345,
                           -12345};
  for (int i = 0; i < 200000; ++i) {
    const int32_t x = i < 11 * 11 ? edges[i % 11] : static_cast<int32_t>(rng());
    int32_t m = i < 11 * 11 ? edges[(i / 11) % 11] : static_cast<int32_t>(rng() & 0x7fffffff);
    if (m < 0) m = 0;
    const int shift = static_cast<int>(rng() % 62) - 31;
    ASSERT_EQ(mbqm(x, m, shift), runtime::multiply_by_quantized_multiplier(x, m, shift))
        << x << " " << m << " " << shift;
    const int e = static_cast<int>(rng() % 32);
    ASSERT_EQ(rounding_divide_by_pot(x, e), runtime::rounding_divide_by_pot(x, e));
    ASSERT_EQ(srdhm(x, m), runtime::saturating_rounding_doubling_high_mul(x, m));
  }
}

TEST(FixedPoint, RequantizeMatchesRuntime) {
  std::mt19937_64 rng(5);
  for (int i = 0; i < 100000; ++i) {
    const int32_t acc = static_cast<int32_t>(rng() % 2000001) - 1000000;
    const auto q = runtime::quantize_multiplier(static_cast<double>(rng() % 100000) / 1e7);
    const int zp = static_cast<int>(rng() % 256) - 128;
    const int lo = static_cast<int>(rng() % 128) - 128;
    ASSERT_EQ(requantize(acc, q.multiplier, q.shift, zp, lo, 127), runtime::requantize(acc, q, zp, lo, 127));
  }
}

}  // namespace
}  // namespace etch::sim

#include "etch/sim/program_runner.h"

namespace etch::sim {
namespace {

TEST(FixedPoint, QuantizeLinearMatchesRuntime) {
  std::mt19937_64 rng(9);
  for (int i = 0; i < 200000; ++i) {
    const float scale = 0.001f + static_cast<float>(rng() % 1000) / 997.0f;
    const int zp = static_cast<int>(rng() % 256) - 128;
    // Many exact ties (k + 0.5) * scale, and ordinary values.
    const float x = i % 2 ? (static_cast<float>(static_cast<int>(rng() % 400) - 200) + 0.5f) * scale
                          : static_cast<float>(static_cast<int64_t>(rng() % 200001) - 100000) / 1000.0f;
    ASSERT_EQ(quantize_linear(x, scale, zp), runtime::quantize_half_even<int8_t>(x, scale, zp)) << x << " " << scale;
  }
}

}  // namespace
}  // namespace etch::sim
