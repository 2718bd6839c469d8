// Finite-difference checks of Gemm (alpha, beta, transA, transB, broadcast C)
// and MatMul (1-D promotion, batched, broadcast batch dims) gradients
// (criterion: see grad_check.h).
#include "grad_check.h"

namespace etch::gradtest {
namespace {

GradCase gemm(Shape a, Shape b, Shape cshape, std::map<std::string, ir::Attribute> attrs) {
  GradCase c;
  c.op = "Gemm";
  c.operands = {input(random_tensor(a, 1)), param(random_tensor(b, 2))};
  if (!cshape.empty() || attrs.count("scalar_c")) c.operands.push_back(param(random_tensor(cshape, 3)));
  attrs.erase("scalar_c");
  c.attrs = std::move(attrs);
  return c;
}

TEST(GradGemm, PlainWithRowBias) { check_gradients(gemm({3, 4}, {4, 5}, {5}, {})); }

TEST(GradGemm, TransBAlphaBeta) {
  check_gradients(gemm({3, 4}, {5, 4}, {3, 1}, {{"transB", int64_t{1}}, {"alpha", 0.5f}, {"beta", 2.0f}}));
}

TEST(GradGemm, TransATransBFullC) {
  check_gradients(gemm({4, 3}, {5, 4}, {3, 5}, {{"transA", int64_t{1}}, {"transB", int64_t{1}}, {"beta", -1.5f}}));
}

TEST(GradGemm, TransANoC) { check_gradients(gemm({4, 3}, {4, 2}, {}, {{"transA", int64_t{1}}, {"alpha", 1.5f}})); }

TEST(GradGemm, ScalarC) { check_gradients(gemm({2, 3}, {3, 2}, {}, {{"scalar_c", int64_t{1}}})); }

GradCase matmul(Shape a, Shape b) {
  GradCase c;
  c.op = "MatMul";
  c.operands = {input(random_tensor(a, 4)), input(random_tensor(b, 5))};
  return c;
}

TEST(GradMatMul, Plain2D) { check_gradients(matmul({3, 4}, {4, 2})); }
TEST(GradMatMul, Batched) { check_gradients(matmul({2, 3, 4}, {2, 4, 2})); }
TEST(GradMatMul, BroadcastBatch) { check_gradients(matmul({2, 1, 3, 4}, {3, 4, 2})); }
TEST(GradMatMul, VectorLeft) { check_gradients(matmul({4}, {2, 4, 3})); }
TEST(GradMatMul, VectorRight) { check_gradients(matmul({2, 3, 4}, {4})); }

}  // namespace
}  // namespace etch::gradtest
