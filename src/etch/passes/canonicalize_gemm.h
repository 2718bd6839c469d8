#pragma once
#include "etch/passes/pass.h"

namespace etch::passes {
// Rewrites a fully connected layer into one canonical form, Gemm(x, W[N, K],
// bias[N], transB = 1), so that later stages (quantization per output channel,
// lowering to QGemm whose weight is output-channel first) see one layout:
//   Gemm(transB = 0) with constant B[K, N]  → B transposed, transB = 1;
//   MatMul(x[M, K], constant B[K, N])       → Gemm(x, Bᵀ, transB = 1);
//   a constant C of N elements ([1, N])     → C reshaped to [N].
// Only when transA = 0, alpha = beta = 1 and the weight is a float constant.
bool canonicalize_gemm(ir::Graph& g, const PassContext& ctx);
}  // namespace etch::passes
