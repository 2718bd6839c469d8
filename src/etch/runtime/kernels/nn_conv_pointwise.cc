#include "etch/runtime/kernels/nn_conv_pointwise.h"

#include <algorithm>

#include "etch/core/thread_pool.h"
#include "etch/runtime/kernels/gemm.h"
#include "etch/runtime/kernels/simd_f32.h"

namespace etch::runtime {
namespace {

// Where the kernel finds row k of X: k rows of stride ld past x, or at its
// own offset from x.
struct StridedRows {
  const float* x;
  int64_t ld;
  const float* operator()(int64_t k) const { return x + k * ld; }
};
struct OffsetRows {
  const float* x;
  const int64_t* offsets;
  const float* operator()(int64_t k) const { return x + offsets[k]; }
};

#ifdef ETCH_X86_SIMD
#pragma GCC push_options
#pragma GCC target("avx512f")
namespace avx512 {
using namespace simd_avx512;
// 16 accumulators of 32 registers: 4 rows × 64 columns.
constexpr int kTileRows = 4, kTileVecs = 4;
#include "etch/runtime/kernels/nn_conv_pointwise_body.inc"
}  // namespace avx512
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {
using namespace simd_avx2;
// 12 accumulators of 16 registers: 6 rows × 16 columns, the shape of
// OpenBLAS's Haswell SGEMM kernel.
constexpr int kTileRows = 6, kTileVecs = 2;
#include "etch/runtime/kernels/nn_conv_pointwise_body.inc"
}  // namespace avx2
#pragma GCC pop_options
#endif

}  // namespace

bool pointwise_conv_available() {
#ifdef ETCH_X86_SIMD
  return cpu_has_avx512() || cpu_has_avx2_fma();
#else
  return false;
#endif
}

void pointwise_conv(int64_t batch, int64_t m, int64_t c, int64_t p, const float* x, const float* w,
                    const PointwiseEpilogue& e, float* y) {
#ifdef ETCH_X86_SIMD
  const auto block_fn = cpu_has_avx512() ? avx512::column_block<StridedRows> : avx2::column_block<StridedRows>;
  // Column blocks keep X's block ([c × block]) in cache across all output rows;
  // every output element is computed by one thread, so the split changes no bits.
  const int64_t block = std::clamp<int64_t>((int64_t{1} << 13) / std::max<int64_t>(1, c) / 64 * 64, 64, 1024);
  const int64_t blocks = (p + block - 1) / block;
  parallel_for(batch * blocks, 1, [&](int64_t i0, int64_t i1) {
    for (int64_t it = i0; it < i1; ++it) {
      const int64_t n = it / blocks, q0 = it % blocks * block, q1 = std::min(p, q0 + block);
      block_fn(m, c, p, StridedRows{x + n * c * p, p}, w, q0, q1, e, e.z ? e.z + n * m * p : nullptr, y + n * m * p);
    }
  });
#else
  (void)batch, (void)m, (void)c, (void)p, (void)x, (void)w, (void)e, (void)y;
#endif
}

bool direct_gemm_preferred() {
#ifdef ETCH_X86_SIMD
  // OpenBLAS at its AVX-512 peak matches the direct kernel; held to AVX2
  // kernels (an AVX2 CPU, or OPENBLAS_CORETYPE) it ran at half its speed.
  // Asked per im2col block: decided once.
  static const bool preferred = cpu_has_avx2_fma() && !(cpu_has_avx512() && blas_runs_avx512_kernels());
  return preferred;
#else
  return false;
#endif
}

namespace {

// The direct products, in column blocks of 256 that keep X's block in L1/L2
// across all rows of W.
template <class X>
void direct_gemm_blocks(int64_t m, int64_t k, int64_t n, const float* w, const X& xr, const PointwiseEpilogue& e,
                        float* y, int64_t ldy) {
#ifdef ETCH_X86_SIMD
  const auto block_fn = cpu_has_avx512() ? avx512::column_block<X> : avx2::column_block<X>;
  for (int64_t q0 = 0; q0 < n; q0 += 256) block_fn(m, k, ldy, xr, w, q0, std::min(n, q0 + 256), e, e.z, y);
#else
  (void)m, (void)k, (void)n, (void)w, (void)xr, (void)e, (void)y, (void)ldy;
#endif
}

}  // namespace

void direct_gemm(int64_t m, int64_t k, int64_t n, const float* w, const float* x, int64_t ldx,
                 const PointwiseEpilogue& e, float* y, int64_t ldy) {
  direct_gemm_blocks(m, k, n, w, StridedRows{x, ldx}, e, y, ldy);
}

void direct_gemm_offsets(int64_t m, int64_t k, int64_t n, const float* w, const float* x, const int64_t* row_offsets,
                         const PointwiseEpilogue& e, float* y, int64_t ldy) {
  direct_gemm_blocks(m, k, n, w, OffsetRows{x, row_offsets}, e, y, ldy);
}

}  // namespace etch::runtime
