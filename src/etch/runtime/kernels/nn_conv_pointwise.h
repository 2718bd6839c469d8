// Direct 1x1 convolution (stride 1, no padding, one group) on AVX-512 or AVX2: Y = W·X
// per image with the output tile in registers and the epilogue (bias, summand,
// clamp) applied before it is stored, with no copy of X and no second pass over Y.
#pragma once
#include <cstdint>

namespace etch::runtime {

struct PointwiseEpilogue {
  const float* bias = nullptr;  // [m] or null
  const float* z = nullptr;     // summand shaped like y, or null
  bool clamp = false;
  bool relu = false;  // clamp to [0, inf) exactly as the Relu kernel does
  float lo = 0.0f, hi = 0.0f;
};

// True where pointwise_conv runs (the CPU has AVX-512, or AVX2 with FMA).
bool pointwise_conv_available();

// x: batch × [c × p], w: [m × c], y: batch × [m × p]. Each output is the fused
// multiply-add over c in order starting from 0, then bias, summand and clamp in
// the unfused graph's order, whatever the thread count.
void pointwise_conv(int64_t batch, int64_t m, int64_t c, int64_t p, const float* x, const float* w,
                    const PointwiseEpilogue& e, float* y);

// The same kernel on the calling thread, for im2col convolutions: y[m × n]
// (row stride ldy, also the summand's) = w[m × k] · x[k × n] (row stride ldx),
// each element the fused multiply-add over k in order from 0, then the
// epilogue as pointwise_conv applies it. Where direct_gemm_preferred(): a CPU
// with AVX2 and FMA whose AVX-512 (if any) OpenBLAS does not use.
bool direct_gemm_preferred();
void direct_gemm(int64_t m, int64_t k, int64_t n, const float* w, const float* x, int64_t ldx,
                 const PointwiseEpilogue& e, float* y, int64_t ldy);
// The same with row r of x at x + row_offsets[r] (each read over [0, n)).
void direct_gemm_offsets(int64_t m, int64_t k, int64_t n, const float* w, const float* x, const int64_t* row_offsets,
                         const PointwiseEpilogue& e, float* y, int64_t ldy);

}  // namespace etch::runtime
