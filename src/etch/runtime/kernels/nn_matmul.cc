// fp32 Gemm and MatMul kernels (OpenBLAS sgemm).
#include <algorithm>

#include "etch/core/thread_pool.h"
#include "etch/ir/op_registry.h"
#include "etch/runtime/kernel_overwrites.h"
#include "etch/runtime/kernel_registry.h"
#include "etch/runtime/kernels/gemm.h"

namespace etch::runtime {
namespace {

void gemm_f32(KernelContext& ctx) {
  const ir::Node& n = ctx.node();
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  Tensor& y = ctx.output(0);
  const bool ta = n.attr_int("transA", 0) != 0, tb = n.attr_int("transB", 0) != 0;
  const float alpha = n.attr_float("alpha", 1.0f), beta = n.attr_float("beta", 1.0f);
  const int64_t m = y.dim(0), cols = y.dim(1), k = ta ? a.dim(0) : a.dim(1);
  float* out = y.data<float>();
  float gemm_beta = 0.0f;
  if (ctx.has_input(2) && beta != 0.0f) {
    const Tensor& c = ctx.input(2);
    const float* cv = c.data<float>();
    // Broadcast C (rank <= 2) into Y, scaled by beta, then accumulate onto it.
    const int64_t cr = c.rank() == 2 ? c.dim(0) : 1;
    const int64_t cc = c.rank() >= 1 ? c.dim(-1) : 1;
    for (int64_t i = 0; i < m; ++i) {
      const float* row = cv + (cr == 1 ? 0 : i) * cc;
      float* dst = out + i * cols;
      if (cc == 1)
        std::fill(dst, dst + cols, beta * row[0]);
      else
        for (int64_t j = 0; j < cols; ++j) dst[j] = beta * row[j];
    }
    gemm_beta = 1.0f;
  }
  sgemm_parallel(ta, tb, m, cols, k, alpha, a.data<float>(), a.dim(1), b.data<float>(), b.dim(1), gemm_beta, out, cols);
}

void matmul_f32(KernelContext& ctx) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  Tensor& y = ctx.output(0);
  Shape as = a.shape(), bs = b.shape();
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  const int64_t m = as[as.size() - 2], k = as.back(), cols = bs.back();
  const Shape abatch(as.begin(), as.end() - 2), bbatch(bs.begin(), bs.end() - 2);
  const Shape batch = ir::broadcast_shapes(abatch, bbatch);
  const int64_t nb = shape_numel(batch);
  // Offsets of each broadcast batch entry into A and B.
  std::vector<int64_t> aoff(nb), boff(nb);
  {
    const size_t r = batch.size();
    std::vector<int64_t> idx(r, 0);
    for (int64_t i = 0; i < nb; ++i) {
      int64_t ao = 0, bo = 0, astride = 1, bstride = 1;
      for (size_t d = r; d-- > 0;) {
        const size_t da = d + abatch.size() - r, db = d + bbatch.size() - r;
        if (d >= r - abatch.size()) {
          if (abatch[da] != 1) ao += idx[d] * astride;
          astride *= abatch[da];
        }
        if (d >= r - bbatch.size()) {
          if (bbatch[db] != 1) bo += idx[d] * bstride;
          bstride *= bbatch[db];
        }
      }
      aoff[i] = ao * m * k;
      boff[i] = bo * k * cols;
      for (size_t d = r; d-- > 0;)
        if (++idx[d] < batch[d])
          break;
        else
          idx[d] = 0;
    }
  }
  const float* av = a.data<float>();
  const float* bv = b.data<float>();
  float* out = y.data<float>();
  if (nb == 1) {
    sgemm_parallel(false, false, m, cols, k, 1.0f, av + aoff[0], k, bv + boff[0], cols, 0.0f, out, cols);
    return;
  }
  const int64_t grain = std::max<int64_t>(1, (1 << 16) / std::max<int64_t>(1, m * cols * k));
  parallel_for(nb, grain, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i)
      sgemm(false, false, m, cols, k, 1.0f, av + aoff[i], k, bv + boff[i], cols, 0.0f, out + i * m * cols, cols);
  });
}

}  // namespace

ETCH_REGISTER_KERNEL("Gemm", "", DType::F32, gemm_f32);
ETCH_REGISTER_KERNEL("MatMul", "", DType::F32, matmul_f32);
ETCH_KERNEL_OVERWRITES_OUTPUTS("Gemm", "", DType::F32);
ETCH_KERNEL_OVERWRITES_OUTPUTS("MatMul", "", DType::F32);

}  // namespace etch::runtime
