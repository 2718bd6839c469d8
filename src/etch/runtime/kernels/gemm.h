// fp32 matrix multiply through OpenBLAS, always single-threaded inside BLAS:
// etch parallelizes itself over fixed blocks so results never depend on the
// thread count.
#pragma once
#include <cstdint>

namespace etch::runtime {

// Once per process, before the first BLAS call: OpenBLAS on one thread, with
// the kernels of the CPU's instruction set (gemm.cc says why it may have to
// choose again). sgemm calls it, as must code calling cblas_* itself; main()
// and the Python module call it first, before any other thread runs.
void blas_setup();

// True when OpenBLAS runs its AVX-512 kernels. False on an AVX-512 CPU when
// the user's OPENBLAS_CORETYPE holds it to an older core: etch's own AVX-512
// conv kernels then run instead (direct_gemm_preferred).
bool blas_runs_avx512_kernels();

// Row-major C[m×n] = alpha·op(A)·op(B) + beta·C on the calling thread.
void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// Same, split into fixed row (or, for few rows, column) blocks run with
// parallel_for. Block boundaries depend only on m, n, k.
void sgemm_parallel(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                    int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

}  // namespace etch::runtime
