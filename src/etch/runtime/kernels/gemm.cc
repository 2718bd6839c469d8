#include "etch/runtime/kernels/gemm.h"

#include <cblas.h>
#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <string>

#include "etch/core/thread_pool.h"

namespace etch::runtime {
namespace {

// OpenBLAS 0.3.21 (Debian 12) does not recognise AMD Zen 4 as AVX-512 capable
// and runs its Haswell kernels there, ~2x slower than its SkylakeX small-matrix
// kernels on conv-sized products. Those kernels are exported by the
// DYNAMIC_ARCH library, so on a CPU with AVX-512 we look them up once and call
// them directly for small products; anywhere else (other builds, other CPUs)
// the lookup fails and cblas_sgemm runs as before. They take column-major
// arguments and need no packing buffer or thread state.
using SmallB0 = int (*)(long, long, long, const float*, long, float, const float*, long, float*, long);
using SmallBeta = int (*)(long, long, long, const float*, long, float, const float*, long, float, float*, long);
struct SmallKernels {
  SmallB0 b0[2][2] = {};  // [trans_a][trans_b] of the row-major call
  SmallBeta beta[2][2] = {};
  bool ok = false;
};

const SmallKernels& small_kernels() {
  static const SmallKernels k = [] {
    SmallKernels s;
#if defined(__x86_64__) && defined(__GNUC__)
    if (!(__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
          __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")))
      return s;
    if (std::getenv("ETCH_NO_SMALL_SGEMM")) return s;
    s.ok = true;
    for (int ta = 0; ta < 2; ++ta)
      for (int tb = 0; tb < 2; ++tb) {
        // Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: B's transpose flag comes first.
        const std::string t = std::string(1, tb ? 't' : 'n') + (ta ? 't' : 'n');
        s.b0[ta][tb] =
            reinterpret_cast<SmallB0>(dlsym(RTLD_DEFAULT, ("sgemm_small_kernel_b0_" + t + "_SKYLAKEX").c_str()));
        s.beta[ta][tb] =
            reinterpret_cast<SmallBeta>(dlsym(RTLD_DEFAULT, ("sgemm_small_kernel_" + t + "_SKYLAKEX").c_str()));
        s.ok = s.ok && s.b0[ta][tb] && s.beta[ta][tb];
      }
#endif
    return s;
  }();
  return k;
}

// OpenBLAS's own limit for its small-matrix path on SkylakeX.
constexpr double kSmallMaxMNK = 100.0 * 100.0 * 100.0;

}  // namespace

void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    // BLAS would leave C untouched for k == 0 only when beta == 1.
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
    return;
  }
  const SmallKernels& sk = small_kernels();
  if (sk.ok && static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k) <= kSmallMaxMNK) {
    if (beta == 0.0f)
      sk.b0[trans_a][trans_b](static_cast<long>(n), static_cast<long>(m), static_cast<long>(k), b,
                              static_cast<long>(ldb), alpha, a, static_cast<long>(lda), c, static_cast<long>(ldc));
    else
      sk.beta[trans_a][trans_b](static_cast<long>(n), static_cast<long>(m), static_cast<long>(k), b,
                                static_cast<long>(ldb), alpha, a, static_cast<long>(lda), beta, c,
                                static_cast<long>(ldc));
    return;
  }
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), alpha, a,
              static_cast<blasint>(lda), b, static_cast<blasint>(ldb), beta, c, static_cast<blasint>(ldc));
}

void sgemm_parallel(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                    int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  constexpr int64_t kMinWork = 1 << 17;  // multiply-adds below which splitting costs more than it gives
  if (m * n * k < kMinWork) {
    sgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  if (m >= 32) {
    const int64_t rows = m >= 256 ? 64 : 16;
    parallel_for((m + rows - 1) / rows, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t blk = b0; blk < b1; ++blk) {
        const int64_t r0 = blk * rows, r1 = std::min(m, r0 + rows);
        const float* ab = trans_a ? a + r0 : a + r0 * lda;
        sgemm(trans_a, trans_b, r1 - r0, n, k, alpha, ab, lda, b, ldb, beta, c + r0 * ldc, ldc);
      }
    });
    return;
  }
  const int64_t cols = 256;
  parallel_for((n + cols - 1) / cols, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t blk = b0; blk < b1; ++blk) {
      const int64_t c0 = blk * cols, c1 = std::min(n, c0 + cols);
      const float* bb = trans_b ? b + c0 * ldb : b + c0;
      sgemm(trans_a, trans_b, m, c1 - c0, k, alpha, a, lda, bb, ldb, beta, c + c0, ldc);
    }
  });
}

}  // namespace etch::runtime
