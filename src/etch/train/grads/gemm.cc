// Gemm and MatMul gradients with single-threaded OpenBLAS calls (deterministic).
#include "etch/runtime/kernels/gemm.h"

#include <cblas.h>

#include "etch/ir/op_registry.h"
#include "etch/train/grads/grad_util.h"

namespace etch::train::grads {
namespace {

// Y = alpha * op(A) op(B) + beta * C, op(A) [M,K], op(B) [K,N].
void gemm_grad(GradContext& c) {
  runtime::blas_setup();
  const bool ta = c.node.attr_int("transA", 0) != 0, tb = c.node.attr_int("transB", 0) != 0;
  const float alpha = c.node.attr_float("alpha", 1.0f), beta = c.node.attr_float("beta", 1.0f);
  const Tensor& a = c.in(0);
  const Tensor& b = c.in(1);
  const int M = static_cast<int>(c.gout().dim(0)), N = static_cast<int>(c.gout().dim(1));
  const int K = static_cast<int>(ta ? a.dim(0) : a.dim(1));
  const float* g = c.gout().data<float>();
  const int lda = ta ? M : K, ldb = tb ? K : N;
  if (c.wants(0)) {
    Tensor da(DType::F32, a.shape());
    if (!ta)  // dA [M,K] = alpha dY op(B)^T
      cblas_sgemm(CblasRowMajor, CblasNoTrans, tb ? CblasNoTrans : CblasTrans, M, K, N, alpha, g, N, b.data<float>(),
                  ldb, 0.0f, da.data<float>(), K);
    else  // dA [K,M] = alpha op(B) dY^T
      cblas_sgemm(CblasRowMajor, tb ? CblasTrans : CblasNoTrans, CblasTrans, K, M, N, alpha, b.data<float>(), ldb, g, N,
                  0.0f, da.data<float>(), M);
    c.input_grads[0] = std::move(da);
  }
  if (c.wants(1)) {
    Tensor db(DType::F32, b.shape());
    if (!tb)  // dB [K,N] = alpha op(A)^T dY
      cblas_sgemm(CblasRowMajor, ta ? CblasNoTrans : CblasTrans, CblasNoTrans, K, N, M, alpha, a.data<float>(), lda, g,
                  N, 0.0f, db.data<float>(), N);
    else  // dB [N,K] = alpha dY^T op(A)
      cblas_sgemm(CblasRowMajor, CblasTrans, ta ? CblasTrans : CblasNoTrans, N, K, M, alpha, g, N, a.data<float>(), lda,
                  0.0f, db.data<float>(), K);
    c.input_grads[1] = std::move(db);
  }
  if (c.wants(2) && c.inputs[2]) {
    Tensor dc = reduce_to_shape(c.gout(), c.in(2).shape());
    if (beta != 1.0f) {
      dc = dc.clone();
      float* p = dc.data<float>();
      for (int64_t i = 0; i < dc.numel(); ++i) p[i] *= beta;
    }
    c.input_grads[2] = std::move(dc);
  }
}

// Offset (in matrices) of batch index `i` of `out_batch` inside a broadcast
// operand with batch dims `batch` (right-aligned).
int64_t batch_offset(int64_t i, const Shape& out_batch, const Shape& batch) {
  const int r = static_cast<int>(out_batch.size()), off = r - static_cast<int>(batch.size());
  int64_t pos = 0, stride = 1;
  for (int d = r - 1; d >= 0; --d) {
    const int64_t coord = i % out_batch[d];
    i /= out_batch[d];
    if (d < off) continue;
    const int64_t dim = batch[d - off];
    if (dim != 1) pos += coord * stride;
    stride *= dim;
  }
  return pos;
}

// numpy matmul: 1-D operands are promoted ([K] -> [1,K] for A, [K,1] for B),
// batch dims broadcast. dA = dY B^T, dB = A^T dY, summed over broadcast batches.
void matmul_grad(GradContext& c) {
  runtime::blas_setup();
  const Tensor& a = c.in(0);
  const Tensor& b = c.in(1);
  Shape as = a.shape(), bs = b.shape();
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  const int M = static_cast<int>(as[as.size() - 2]), K = static_cast<int>(as.back());
  const int N = static_cast<int>(bs.back());
  const Shape ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
  const Shape ob = ir::broadcast_shapes(ab, bb);
  const int64_t nb = shape_numel(ob);
  const float* g = c.gout().data<float>();
  const float* ap = a.data<float>();
  const float* bp = b.data<float>();
  const int64_t mk = int64_t{M} * K, kn = int64_t{K} * N, mn = int64_t{M} * N;
  if (c.wants(0)) {
    Tensor da(DType::F32, a.shape());
    float* d = da.data<float>();
    for (int64_t i = 0; i < nb; ++i)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, K, N, 1.0f, g + i * mn, N,
                  bp + batch_offset(i, ob, bb) * kn, N, 1.0f, d + batch_offset(i, ob, ab) * mk, K);
    c.input_grads[0] = std::move(da);
  }
  if (c.wants(1)) {
    Tensor db(DType::F32, b.shape());
    float* d = db.data<float>();
    for (int64_t i = 0; i < nb; ++i)
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, N, M, 1.0f, ap + batch_offset(i, ob, ab) * mk, K,
                  g + i * mn, N, 1.0f, d + batch_offset(i, ob, bb) * kn, N);
    c.input_grads[1] = std::move(db);
  }
}

}  // namespace

ETCH_REGISTER_GRAD("Gemm", {gemm_grad, nullptr, {0, 1, 2}, {1, 2}});
ETCH_REGISTER_GRAD("MatMul", {matmul_grad, nullptr, {0, 1}, {0, 1}});

}  // namespace etch::train::grads
