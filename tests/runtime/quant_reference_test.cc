// The fast integer kernels against naive direct formulas on random cases
// (ggml test-backend-ops style), and the fixed-point multiply against exact
// arithmetic.
#include <cmath>
#include <random>

#include "etch/core/thread_pool.h"
#include "etch/runtime/requantize.h"
#include "runtime/quant_test_util.h"

namespace etch::runtime {
namespace {
using namespace quant_test;
using ir::Attribute;
using Ints = std::vector<int64_t>;

struct ConvCase {
  int64_t n, c, h, w, m, kh, kw, group, sh, sw, dh, dw, pt, pl, pb, pr;
};

// Direct convolution of (x − xz)(w − wz[m]) with zero padding after centering.
std::vector<int32_t> naive_conv(const ConvCase& k, const std::vector<int32_t>& x, int32_t xz,
                                const std::vector<int32_t>& w, const std::vector<int32_t>& wz, int64_t& oh,
                                int64_t& ow) {
  oh = (k.h + k.pt + k.pb - ((k.kh - 1) * k.dh + 1)) / k.sh + 1;
  ow = (k.w + k.pl + k.pr - ((k.kw - 1) * k.dw + 1)) / k.sw + 1;
  const int64_t cg = k.c / k.group, mg = k.m / k.group;
  std::vector<int32_t> y(k.n * k.m * oh * ow);
  for (int64_t n = 0; n < k.n; ++n)
    for (int64_t m = 0; m < k.m; ++m)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          int64_t s = 0;
          const int64_t g = m / mg;
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t a = 0; a < k.kh; ++a)
              for (int64_t b = 0; b < k.kw; ++b) {
                const int64_t yi = i * k.sh - k.pt + a * k.dh, xj = j * k.sw - k.pl + b * k.dw;
                if (yi < 0 || yi >= k.h || xj < 0 || xj >= k.w) continue;
                const int64_t xv = x[((n * k.c + g * cg + c) * k.h + yi) * k.w + xj] - xz;
                const int64_t wv = w[((m * cg + c) * k.kh + a) * k.kw + b] - wz[m];
                s += xv * wv;
              }
          y[((n * k.m + m) * oh + i) * ow + j] = static_cast<int32_t>(s);
        }
  return y;
}

TEST(QuantReference, ConvIntegerMatchesDirectConvolution) {
  std::mt19937 rng(7);
  const std::vector<ConvCase> cases = {
      {1, 3, 7, 9, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},
      {2, 4, 6, 5, 6, 2, 3, 2, 2, 1, 1, 2, 0, 1, 1, 0},
      {1, 4, 9, 9, 4, 3, 3, 4, 2, 2, 2, 1, 2, 0, 0, 2},    // depthwise, asymmetric pads
      {1, 2, 23, 21, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},  // > 256 outputs: several im2col blocks
  };
  for (const ConvCase& k : cases) {
    for (bool is_signed : {false, true}) {
      std::uniform_int_distribution<int> d(is_signed ? -128 : 0, is_signed ? 127 : 255);
      std::vector<int32_t> x(k.n * k.c * k.h * k.w), w(k.m * (k.c / k.group) * k.kh * k.kw), wz(k.m);
      for (auto& v : x) v = d(rng);
      for (auto& v : w) v = d(rng);
      for (auto& v : wz) v = d(rng);
      const int32_t xz = d(rng);
      auto make = [&](const Shape& s, const std::vector<int32_t>& v) {
        Tensor t(is_signed ? DType::I8 : DType::U8, s);
        for (size_t i = 0; i < v.size(); ++i) t.set_from_double(static_cast<int64_t>(i), v[i]);
        return t;
      };
      const Tensor tx = make({k.n, k.c, k.h, k.w}, x), tw = make({k.m, k.c / k.group, k.kh, k.kw}, w);
      const Tensor txz = make({}, {xz}), twz = make({k.m}, wz);
      const ir::Node node = make_quant_node("ConvInteger", 4,
                                            {{"group", Attribute{k.group}},
                                             {"strides", Attribute{Ints{k.sh, k.sw}}},
                                             {"dilations", Attribute{Ints{k.dh, k.dw}}},
                                             {"pads", Attribute{Ints{k.pt, k.pl, k.pb, k.pr}}}});
      int64_t oh = 0, ow = 0;
      const std::vector<int32_t> expected = naive_conv(k, x, xz, w, wz, oh, ow);
      set_num_threads(1);
      const Tensor y1 = run1(node, {&tx, &tw, &txz, &twz});
      set_num_threads(2);
      const Tensor y2 = run1(node, {&tx, &tw, &txz, &twz});
      set_num_threads(0);
      EXPECT_EQ(y1.shape(), (Shape{k.n, k.m, oh, ow}));
      EXPECT_EQ(values<int32_t>(y1), expected) << "case with group " << k.group << " signed " << is_signed;
      EXPECT_TRUE(y1.equals(y2));
    }
  }
}

TEST(QuantReference, MatMulIntegerMatchesDirectProduct) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> d(-128, 127);
  const int64_t batch = 3, m = 5, k = 37, n = 70;
  std::vector<int8_t> a(batch * m * k), b(k * n), az(m), bz(n);
  for (auto& v : a) v = static_cast<int8_t>(d(rng));
  for (auto& v : b) v = static_cast<int8_t>(d(rng));
  for (auto& v : az) v = static_cast<int8_t>(d(rng));
  for (auto& v : bz) v = static_cast<int8_t>(d(rng));
  const Tensor ta = Tensor::from_vector<int8_t>({batch, m, k}, a), tb = Tensor::from_vector<int8_t>({k, n}, b);
  const Tensor taz = Tensor::from_vector<int8_t>({m}, az), tbz = Tensor::from_vector<int8_t>({n}, bz);
  const Tensor y = run1(make_quant_node("MatMulInteger", 4), {&ta, &tb, &taz, &tbz});
  ASSERT_EQ(y.shape(), (Shape{batch, m, n}));
  const int32_t* yp = y.data<int32_t>();
  for (int64_t p = 0; p < batch; ++p)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        int64_t s = 0;
        for (int64_t q = 0; q < k; ++q) s += (a[(p * m + i) * k + q] - az[i]) * (b[q * n + j] - bz[j]);
        ASSERT_EQ(yp[(p * m + i) * n + j], s) << p << "," << i << "," << j;
      }
}

TEST(QuantReference, FixedPointMultiplyIsWithinOneOfExact) {
  // SRDHM rounds to nearest (error ≤ 1/2), RDBP then divides that error by
  // 2^e and rounds again: the result is within 1 of x · m · 2^(shift − 31),
  // computed exactly in long double (64-bit mantissa holds the 62-bit product).
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> log_m(-30.0, 8.0);
  std::uniform_int_distribution<int32_t> xs(-(1 << 24), 1 << 24);
  for (int i = 0; i < 20000; ++i) {
    const QuantizedMultiplier q = quantize_multiplier(std::exp2(log_m(rng)));
    ASSERT_GE(q.multiplier, 1 << 30);
    const int32_t x = xs(rng);
    const long double exact = static_cast<long double>(x) * q.multiplier * std::ldexp(1.0L, q.shift - 31);
    if (std::fabs(static_cast<double>(exact)) > 2e9) continue;
    const int32_t got = multiply_by_quantized_multiplier(x, q);
    ASSERT_LT(std::fabs(static_cast<double>(got - exact)), 1.0) << x << " " << q.multiplier << " " << q.shift;
  }
}

TEST(QuantReference, QuantizeMultiplierRelativeErrorBelowTwoToMinus31) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> log_m(-31.0, 29.0);
  for (int i = 0; i < 20000; ++i) {
    const double real = std::exp2(log_m(rng));
    const QuantizedMultiplier q = quantize_multiplier(real);
    const double back = std::ldexp(static_cast<double>(q.multiplier), q.shift - 31);
    ASSERT_LE(std::fabs(back - real) / real, std::ldexp(1.0, -31)) << real;
  }
}

}  // namespace
}  // namespace etch::runtime
