// The fast paths behind the fp32 CNN kernels, each against a direct definition:
// sgemm (and the OpenBLAS kernel set it runs on), MaxPool's
// 2-D path, and kernels that declare they overwrite their outputs (which then
// receive uninitialised memory).
#include <cblas.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "etch/core/cpu_features.h"
#include "etch/runtime/kernel_overwrites.h"
#include "etch/runtime/kernels/gemm.h"
#include "etch/runtime/kernels/maxpool_rows.h"
#include "etch/runtime/kernels/nn_conv_pointwise.h"
#include "nn_test_util.h"

namespace etch::runtime {
namespace {
using testing::float_values;
using testing::make_node;
using testing::random_tensor;
using testing::run;

// blas_setup leaves OpenBLAS on kernels of the CPU's vector ISA, whatever
// core its load-time detection chose (Prescott on CPU models it does not know).
// A user's OPENBLAS_CORETYPE is theirs to set: nothing to check then.
bool cpu_has_avx512_set() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512cd");
}

// The OpenBLAS core in use, lower case.
std::string blas_core() {
  blas_setup();
  std::string core = openblas_get_corename();
  for (char& c : core) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return core;
}

bool is_avx512_core(const std::string& core) {
  return core == "skylakex" || core == "cooperlake" || core == "sapphirerapids";
}

TEST(Sgemm, BlasRunsTheKernelsOfTheCpusVectorIsa) {
  if (std::getenv("OPENBLAS_CORETYPE")) GTEST_SKIP() << "OPENBLAS_CORETYPE is set";
  const std::string core = blas_core();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (cpu_has_avx512_set()) {
    EXPECT_TRUE(is_avx512_core(core)) << "OpenBLAS runs its " << core << " kernels on an AVX-512 CPU";
  } else if (avx2) {
    EXPECT_TRUE(is_avx512_core(core) || core == "haswell" || core == "zen")
        << "OpenBLAS runs its " << core << " kernels";
  }
}

// Where OpenBLAS runs without AVX-512 (an AVX2 CPU, or a user's
// OPENBLAS_CORETYPE on an AVX-512 one), im2col convolutions take etch's own
// kernel, which uses the CPU's widest ISA; with OpenBLAS's AVX-512 kernels, BLAS.
TEST(Sgemm, ImColConvsTakeTheOwnKernelWhereBlasLacksAvx512) {
  const bool core_avx512 = is_avx512_core(blas_core());
  EXPECT_EQ(blas_runs_avx512_kernels(), core_avx512);
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    EXPECT_EQ(direct_gemm_preferred(), !(cpu_has_avx512_set() && core_avx512)) << blas_core();
  }
}

TEST(Sgemm, AllTransposesAndBetasMatchNaive) {
  // Shapes below and above the small-product limit, with padded leading dims.
  const int64_t shapes[][3] = {{5, 7, 3}, {32, 196, 144}, {16, 784, 9}, {70, 90, 200}};
  for (const auto& s : shapes)
    for (int ta = 0; ta < 2; ++ta)
      for (int tb = 0; tb < 2; ++tb)
        for (float beta : {0.0f, 0.5f}) {
          const int64_t m = s[0], n = s[1], k = s[2];
          const int64_t lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 2;
          const Tensor a = random_tensor({(ta ? k : m) * lda}, 1);
          const Tensor b = random_tensor({(tb ? n : k) * ldb}, 2);
          Tensor c = random_tensor({m * ldc}, 3);
          const std::vector<float> c0 = float_values(c);
          sgemm(ta, tb, m, n, k, 0.75f, a.data<float>(), lda, b.data<float>(), ldb, beta, c.data<float>(), ldc);
          const float* av = a.data<float>();
          const float* bv = b.data<float>();
          for (int64_t i = 0; i < m; ++i)
            for (int64_t j = 0; j < ldc; ++j) {
              const float got = c.data<float>()[i * ldc + j];
              if (j >= n) {
                ASSERT_EQ(got, c0[i * ldc + j]) << "wrote past column n";
                continue;
              }
              double ref = beta * static_cast<double>(c0[i * ldc + j]);
              for (int64_t p = 0; p < k; ++p)
                ref += 0.75 * (ta ? av[p * lda + i] : av[i * lda + p]) * (tb ? bv[j * ldb + p] : bv[p * ldb + j]);
              ASSERT_NEAR(got, ref, 1e-4 * (1 + k)) << m << "x" << n << "x" << k << " ta=" << ta << " tb=" << tb
                                                    << " beta=" << beta << " at " << i << "," << j;
            }
        }
}

// MaxPool by its definition: max over the taps inside the input.
std::vector<float> naive_maxpool(const Tensor& x, int64_t k, int64_t s, int64_t pad, int64_t oh, int64_t ow) {
  const int64_t planes = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3);
  std::vector<float> out;
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        float best = -std::numeric_limits<float>::infinity();
        for (int64_t a = 0; a < k; ++a)
          for (int64_t b = 0; b < k; ++b) {
            const int64_t y = i * s - pad + a, z = j * s - pad + b;
            if (y >= 0 && y < h && z >= 0 && z < w) best = std::max(best, x.data<float>()[(p * h + y) * w + z]);
          }
        out.push_back(best);
      }
  return out;
}

TEST(MaxPoolFastPath, MatchesDefinition) {
  struct Case {
    int64_t h, w, k, s, pad;
  };
  for (const Case c : {Case{28, 28, 2, 2, 0}, Case{7, 9, 2, 2, 0}, Case{9, 7, 3, 2, 1}, Case{5, 6, 3, 1, 1}}) {
    const Tensor x = random_tensor({2, 3, c.h, c.w}, 7);
    const ir::Node n = make_node("MaxPool", 1,
                                 {{"kernel_shape", std::vector<int64_t>{c.k, c.k}},
                                  {"strides", std::vector<int64_t>{c.s, c.s}},
                                  {"pads", std::vector<int64_t>{c.pad, c.pad, c.pad, c.pad}}});
    const auto y = run(n, {&x});
    const int64_t oh = (c.h + 2 * c.pad - c.k) / c.s + 1, ow = (c.w + 2 * c.pad - c.k) / c.s + 1;
    ASSERT_EQ(y[0].shape(), (Shape{2, 3, oh, ow}));
    EXPECT_EQ(float_values(y[0]), naive_maxpool(x, c.k, c.s, c.pad, oh, ow)) << c.h << "x" << c.w << " k" << c.k;
  }
}

// int8 2x2 stride 2: the vector rows (16 outputs at a time) and the scalar
// tail, over widths with and without a tail, with -128 and 127 in the data.
TEST(MaxPoolFastPath, Int8TwoByTwoMatchesDefinition) {
  for (const int64_t w : {32, 34, 70, 8}) {
    Tensor x(DType::I8, {1, 3, 6, w});
    uint32_t r = 12345;
    for (int64_t i = 0; i < x.numel(); ++i) {
      r = r * 1664525u + 1013904223u;
      x.data<int8_t>()[i] = static_cast<int8_t>(r >> 24);
    }
    x.data<int8_t>()[0] = -128;
    x.data<int8_t>()[w + 1] = 127;
    const ir::Node n = make_node(
        "MaxPool", 1, {{"kernel_shape", std::vector<int64_t>{2, 2}}, {"strides", std::vector<int64_t>{2, 2}}});
    const Tensor y = run(n, {&x})[0];
    ASSERT_EQ(y.shape(), (Shape{1, 3, 3, w / 2}));
    for (int64_t p = 0; p < 3; ++p)
      for (int64_t i = 0; i < 3; ++i)
        for (int64_t j = 0; j < w / 2; ++j) {
          const int8_t* a = x.data<int8_t>() + (p * 6 + 2 * i) * w + 2 * j;
          const int8_t want = std::max({a[0], a[1], a[w], a[w + 1]});
          ASSERT_EQ(y.data<int8_t>()[(p * 3 + i) * (w / 2) + j], want)
              << "w " << w << " at " << p << "," << i << "," << j;
        }
  }
}

TEST(MaxPoolFastPath, NaNInFirstTapIsKeptLikeTheGeneralLoop) {
  Tensor x = Tensor::from_vector<float>({1, 1, 2, 2}, {NAN, 1.0f, 2.0f, 3.0f});
  const ir::Node n =
      make_node("MaxPool", 1, {{"kernel_shape", std::vector<int64_t>{2, 2}}, {"strides", std::vector<int64_t>{2, 2}}});
  EXPECT_TRUE(std::isnan(float_values(run(n, {&x})[0])[0]));
  x = Tensor::from_vector<float>({1, 1, 2, 2}, {1.0f, NAN, 2.0f, 3.0f});
  EXPECT_EQ(float_values(run(n, {&x})[0])[0], 3.0f);
}

// The float 2x2 rows on both vector paths against the scalar loop's
// comparisons (keep the earlier tap unless a later one is greater), bit for
// bit: NaN in each tap position and zeros of both signs, output widths 0-40
// (masked and scalar tails) from rows of even and odd width, three row pairs
// per call, and nothing written past the outputs.
TEST(MaxPoolFastPath, FloatRowsKeepTheScalarOrderOnEveryPath) {
  const auto keep_max = [](float m, float v) { return v > m ? v : m; };
  const auto bits = [](float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
  };
  const int64_t pairs = 3;
  const bool had_avx512 = avx512_allowed().load();
  for (const bool avx512 : {true, false}) {
    avx512_allowed().store(avx512 && had_avx512);
    for (int64_t n = 0; n <= 40; ++n)
      for (const int64_t w : {2 * n, 2 * n + 1}) {
        std::vector<float> x(2 * pairs * w), y(pairs * n + 1, 99.0f);
        uint32_t r = 777u + static_cast<uint32_t>(w);
        for (float& v : x) {
          r = r * 1664525u + 1013904223u;
          const uint32_t pick = r >> 28;
          v = pick == 0 ? NAN : pick == 1 ? -0.0f : pick == 2 ? 0.0f : static_cast<float>((r >> 8) % 1000) - 500.0f;
        }
        const int64_t done = max_pool_2x2_f32(x.data(), w, pairs, n, y.data());
        ASSERT_LE(done, n);
        for (int64_t q = 0; q < pairs; ++q)
          for (int64_t o = 0; o < done; ++o) {
            const float* r0 = x.data() + 2 * q * w + 2 * o;
            const float* r1 = r0 + w;
            const float want = keep_max(keep_max(keep_max(r0[0], r0[1]), r1[0]), r1[1]);
            ASSERT_EQ(bits(y[q * n + o]), bits(want))
                << "width " << w << " pair " << q << " output " << o << (avx512 ? " AVX-512" : " AVX2");
          }
        EXPECT_EQ(y[pairs * n], 99.0f) << "width " << w;
      }
  }
  avx512_allowed().store(had_avx512);
}

TEST(KernelOverwrites, DeclaredKernelsFillEveryElementOfRecycledMemory) {
  EXPECT_TRUE(kernel_overwrites_outputs("Conv", "", DType::F32));
  EXPECT_TRUE(kernel_overwrites_outputs("Relu", "", DType::F32));
  EXPECT_FALSE(kernel_overwrites_outputs("Conv", "", DType::I8));
  const Tensor x = random_tensor({2, 3, 9, 9}, 11);
  const Tensor w = random_tensor({4, 3, 3, 3}, 12);
  const ir::Node conv = make_node("Conv", 2, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  const auto ref = float_values(run(conv, {&x, &w})[0]);
  for (int rep = 0; rep < 3; ++rep) {
    {
      // Leave NaN garbage in freed heap memory of the output's size.
      Tensor junk = Tensor::uninitialized(DType::F32, {2, 4, 9, 9});
      std::fill(junk.data<float>(), junk.data<float>() + junk.numel(), NAN);
    }
    EXPECT_EQ(float_values(run(conv, {&x, &w})[0]), ref);
  }
}

}  // namespace
}  // namespace etch::runtime
