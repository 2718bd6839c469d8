// 2-D convolution as a product over shifted views of a zero-padded copy of
// the input (an implicit GEMM). With stride 1 and the outputs laid out at the
// padded row width wp, row (c, kh, kw) of im2col's column matrix is padded
// plane c shifted by kh·dh·wp + kw·dw, so the product reads the input where it
// lies instead of from a column matrix nine times its size (for 3×3). Each
// output row then carries wp − out_w columns past its end, which are dropped.
// With stride s the padded plane is first split into s_h·s_w phase planes
// (phase (a, b) holds the padded rows a, a + s_h, ... and columns b, b + s_w,
// ...): tap (kh, kw) is then phase ((kh·dh) mod s_h, (kw·dw) mod s_w) shifted
// by its quotients, again a plain shifted view.
#pragma once
#include <cstdint>
#include <functional>

#include "etch/runtime/kernels/nn_conv_pointwise.h"
#include "etch/runtime/kernels/nn_im2col.h"

namespace etch::runtime {

// True for 2-D (or 1-D) windows whose output rows the shifted views widen by
// at most an eighth (any stride).
bool implicit_conv_fits(const Geom3& g);

// implicit_conv_fits(g) where direct_gemm_preferred(): the implicit product
// instead of im2col + sgemm.
bool implicit_conv_supported(const Geom3& g);

// Convolutions with fewer input channels than this (a network's first layer)
// run on implicit_conv wherever the direct kernels run, before oneDNN:
// bench_runtime on BlazeFace back's 3→24 5×5 stride-2 stem, 1 thread: 0.88 ms
// through oneDNN's blocks, see bench/README.md for the implicit product.
constexpr int64_t kImplicitFirstLayerChannels = 16;

// Receives output rows [r0, r1) of image n, group gi: the group's mg planes,
// each (r1 − r0) rows of row stride ld (≥ out_w), one after the other.
using ImplicitConvSink =
    std::function<void(int64_t n, int64_t gi, int64_t r0, int64_t r1, const float* planes, int64_t ld)>;

// x: batch × groups·cg planes of g.in; w: groups·mg × cg × k_size. Each output
// is the fused multiply-add over (c, kh, kw) in order from 0, as im2col +
// direct_gemm compute it (the same bits), then e's bias (indexed by output
// channel), clamp or Relu; e.z must be null. Bands of output rows split the
// work: at most band_rows rows each (whole planes when band_rows ≥ out_h), at
// their boundaries whatever the thread count.
void implicit_conv(const Geom3& g, int64_t batch, int64_t groups, int64_t cg, int64_t mg, const float* x,
                   const float* w, const PointwiseEpilogue& e, int64_t band_rows, const ImplicitConvSink& sink);

// The same products written row by row straight into y (batch × groups·mg
// planes of out_h × out_w), without the padded-width rows and their copy:
// the same bits as implicit_conv delivers.
void implicit_conv_rows(const Geom3& g, int64_t batch, int64_t groups, int64_t cg, int64_t mg, const float* x,
                        const float* w, const PointwiseEpilogue& e, int64_t band_rows, float* y);

}  // namespace etch::runtime
