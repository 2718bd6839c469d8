#include "etch/runtime/kernels/gemm.h"

#include <cblas.h>

#include <algorithm>
#include <mutex>

#include "etch/core/thread_pool.h"

namespace etch::runtime {

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
