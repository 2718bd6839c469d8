#include "etch/runtime/kernels/gemm.h"

#include <cblas.h>
#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <mutex>
#include <set>
#include <string>

#include "etch/core/thread_pool.h"

namespace etch::runtime {
namespace {

// The OpenBLAS kernel set for this CPU's instruction set: "SkylakeX" with
// AVX-512, "Haswell" with AVX2 and FMA, null otherwise (leave OpenBLAS's choice).
const char* core_for_cpu() {
#if defined(__x86_64__) && defined(__GNUC__)
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512cd"))
    return "SkylakeX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
  return nullptr;
}

// OpenBLAS's cores with AVX-512, and those with AVX2 and FMA but not it.
const std::set<std::string> kAvx512Cores = {"skylakex", "cooperlake", "sapphirerapids"};
const std::set<std::string> kAvx2Cores = {"haswell", "zen"};

// The core whose kernels OpenBLAS runs, lower case; empty where the library
// does not say (a build without DYNAMIC_ARCH).
std::string blas_core_name() {
  using CoreName = char* (*)();
  const auto corename = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  std::string have = corename ? corename() : "";
  std::transform(have.begin(), have.end(), have.begin(), [](unsigned char c) { return std::tolower(c); });
  return have;
}

// Debian 12's OpenBLAS 0.3.21 is built for every x86-64 core and picks one
// when it loads, from the CPU's family and model. A model it does not know
// gets an older core's kernels: Intel family 6 model 0xCF (this project's
// build machine) its Prescott (SSE3) ones, AMD Zen 4 Haswell's (AVX2), and
// GEMM runs at a fraction of the CPU's speed. When the user has not chosen
// (OPENBLAS_CORETYPE) and the core it picked lacks the CPU's vector ISA,
// choose again through the library's own entry points (exported by its
// DYNAMIC_ARCH build; elsewhere the lookup fails and nothing changes).
void choose_blas_core() {
  const char* want = core_for_cpu();
  if (!want || std::getenv("OPENBLAS_CORETYPE")) return;
  using Hook = void (*)();
  const auto quit = reinterpret_cast<Hook>(dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit"));
  const auto init = reinterpret_cast<Hook>(dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init"));
  const std::string have = blas_core_name();
  if (have.empty() || !quit || !init) return;
  if (kAvx512Cores.count(have) || (std::string(want) == "Haswell" && kAvx2Cores.count(have))) return;
  setenv("OPENBLAS_CORETYPE", want, 1);  // what gotoblas_dynamic_init reads
  quit();
  init();
  unsetenv("OPENBLAS_CORETYPE");
}

}  // namespace

void blas_setup() {
  static std::once_flag once;
  std::call_once(once, [] {
    choose_blas_core();
    openblas_set_num_threads(1);
  });
}

bool blas_runs_avx512_kernels() {
  // After blas_setup the core never changes: asked once.
  static const bool avx512 = (blas_setup(), kAvx512Cores.count(blas_core_name()) > 0);
  return avx512;
}

void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  blas_setup();
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
