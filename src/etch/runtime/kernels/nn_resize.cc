// Resize / Upsample kernels: one axis at a time from the per-axis tap lists
// of ir/ops/resize_taps.h (which carry the ONNX semantics); nearest is a pure
// gather and works for any dtype.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "etch/core/thread_pool.h"
#include "etch/ir/op_registry.h"
#include "etch/ir/ops/nn_params.h"
#include "etch/ir/ops/resize_taps.h"
#include "etch/runtime/kernel_overwrites.h"
#include "etch/runtime/kernel_registry.h"
#include "etch/runtime/kernels/simd_f32.h"

#ifdef ETCH_X86_SIMD
#include <immintrin.h>
#endif

namespace etch::runtime {
namespace {

using Taps = ir::ResizeTaps;
using Options = ir::ResizeOptions;

std::vector<Taps> all_taps(KernelContext& ctx, const Options& o, ir::ResizeSpec& spec) {
  std::vector<const Tensor*> vals;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) vals.push_back(ctx.has_input(i) ? &ctx.input(i) : nullptr);
  return ir::resize_node_taps(ctx.node(), o, ctx.input(0).shape(), vals, spec);
}

// The last axis's outputs whose tap list is exactly two nonzero taps (linear
// resizing everywhere but the edges): their indices and weights as int32 and
// float, and per block of eight outputs whether all eight are such.
struct TwoTaps {
  std::vector<int32_t> i0, i1;
  std::vector<float> w0, w1;
  std::vector<uint8_t> block_ok;
};

TwoTaps two_taps(const Taps& t, int64_t out_len, int64_t in_len) {
  TwoTaps tt;
  if (in_len > INT32_MAX) return tt;
  tt.i0.resize(out_len), tt.i1.resize(out_len), tt.w0.resize(out_len), tt.w1.resize(out_len);
  tt.block_ok.assign(static_cast<size_t>(out_len / 8), 1);
  for (int64_t x = 0; x < out_len; ++x) {
    const int64_t j0 = t.begin[x];
    const bool ok = t.begin[x + 1] - j0 == 2 && t.w[j0] != 0.0f && t.w[j0 + 1] != 0.0f;
    if (!ok) {
      if (x / 8 < static_cast<int64_t>(tt.block_ok.size())) tt.block_ok[x / 8] = 0;
      continue;
    }
    tt.i0[x] = static_cast<int32_t>(t.idx[j0]), tt.i1[x] = static_cast<int32_t>(t.idx[j0 + 1]);
    tt.w0[x] = t.w[j0], tt.w1[x] = t.w[j0 + 1];
  }
  return tt;
}

#ifdef ETCH_X86_SIMD
#pragma GCC push_options
#pragma GCC target("avx2")
// Eight outputs of a two-tap block with the scalar loop's operations: 0 + w0·s0,
// then + w1·s1, each product and sum rounded (no fused multiply-add).
void two_tap_block_avx2(const float* s, const TwoTaps& tt, int64_t x, float* dd) {
  const __m256i i0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(tt.i0.data() + x));
  const __m256i i1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(tt.i1.data() + x));
  const __m256 p0 = _mm256_mul_ps(_mm256_loadu_ps(tt.w0.data() + x), _mm256_i32gather_ps(s, i0, 4));
  const __m256 p1 = _mm256_mul_ps(_mm256_loadu_ps(tt.w1.data() + x), _mm256_i32gather_ps(s, i1, 4));
  _mm256_storeu_ps(dd + x, _mm256_add_ps(_mm256_add_ps(_mm256_setzero_ps(), p0), p1));
}
#pragma GCC pop_options
#endif

// One axis at a time: src has shape `shape`; dim d is resampled to taps.size.
void resample_axis(const float* src, float* dst, const Shape& shape, size_t d, const Taps& t, int64_t out_len,
                   float extrap) {
  int64_t outer = 1, inner = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i < d) outer *= shape[i];
    if (i > d) inner *= shape[i];
  }
  const int64_t in_len = shape[d];
  bool vector_blocks = false;
#ifdef ETCH_X86_SIMD
  vector_blocks = inner == 1 && out_len >= 8 && cpu_has_avx2_fma();
#endif
  const TwoTaps tt = vector_blocks ? two_taps(t, out_len, in_len) : TwoTaps{};
  if (tt.block_ok.empty()) vector_blocks = false;
  parallel_for(outer, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, out_len * inner)), [&](int64_t a, int64_t b) {
    for (int64_t o = a; o < b; ++o) {
      const float* s = src + o * in_len * inner;
      float* dd = dst + o * out_len * inner;
      if (inner == 1) {
        // The last axis: one output element per tap list, summed in a register
        // with the same operations as the general loop below.
        for (int64_t x = 0; x < out_len; ++x) {
#ifdef ETCH_X86_SIMD
          if (vector_blocks && x % 8 == 0 && x / 8 < static_cast<int64_t>(tt.block_ok.size()) && tt.block_ok[x / 8]) {
            two_tap_block_avx2(s, tt, x, dd);
            x += 7;
            continue;
          }
#endif
          const int64_t j0 = t.begin[x], j1 = t.begin[x + 1];
          float v = j0 == j1 ? extrap : 0.0f;
          for (int64_t j = j0; j < j1; ++j)
            if (t.w[j] != 0.0f) v += t.w[j] * s[t.idx[j]];
          dd[x] = v;
        }
        continue;
      }
      for (int64_t x = 0; x < out_len; ++x) {
        float* row = dd + x * inner;
        const int64_t j0 = t.begin[x], j1 = t.begin[x + 1];
        if (j0 == j1) {
          std::fill(row, row + inner, extrap);
          continue;
        }
        std::fill(row, row + inner, 0.0f);
        for (int64_t j = j0; j < j1; ++j) {
          const float w = t.w[j];
          if (w == 0.0f) continue;
          const float* sr = s + t.idx[j] * inner;
          for (int64_t i = 0; i < inner; ++i) row[i] += w * sr[i];
        }
      }
    }
  });
}

void resize_interp_f32(KernelContext& ctx, const Options& o) {
  ir::ResizeSpec spec;
  const std::vector<Taps> taps = all_taps(ctx, o, spec);
  const Tensor& x = ctx.input(0);
  Tensor& y = ctx.output(0);
  size_t last = taps.size();  // the last axis that resamples: it writes y
  for (size_t d = 0; d < taps.size(); ++d)
    if (!taps[d].identity) last = d;
  if (last == taps.size()) {
    std::copy(x.data<float>(), x.data<float>() + y.numel(), y.data<float>());
    return;
  }
  Tensor cur = x;
  Shape shape = x.shape();
  for (size_t d = 0; d <= last; ++d) {
    if (taps[d].identity) continue;
    Shape next = shape;
    next[d] = spec.out[d];
    // Every element of an axis's output is written.
    Tensor out = d == last ? Tensor() : Tensor::uninitialized(DType::F32, next);
    float* dst = d == last ? y.data<float>() : out.data<float>();
    resample_axis(cur.data<float>(), dst, shape, d, taps[d], spec.out[d], o.extrapolation);
    cur = out;
    shape = next;
  }
}

template <typename T>
void resize_nearest(KernelContext& ctx, const Options& o) {
  ir::ResizeSpec spec;
  const std::vector<Taps> taps = all_taps(ctx, o, spec);
  const Tensor& x = ctx.input(0);
  Tensor& y = ctx.output(0);
  const int r = x.rank();
  if (y.numel() == 0) return;
  const T extrap = static_cast<T>(o.extrapolation);
  if (r == 0) {
    y.data<T>()[0] = x.data<T>()[0];
    return;
  }
  const std::vector<int64_t> xs = shape_strides(x.shape());
  const T* xv = x.data<T>();
  T* yv = y.data<T>();
  auto src_of = [&](int d, int64_t o) -> int64_t {
    const Taps& t = taps[d];
    return t.begin[o] == t.begin[o + 1] ? -1 : t.idx[t.begin[o]];
  };
  const int64_t w = y.dim(r - 1), rows = y.numel() / w;
  std::vector<int64_t> idx(r, 0);
  for (int64_t row = 0; row < rows; ++row) {
    bool out_row = false;
    int64_t base = 0;
    for (int d = 0; d + 1 < r; ++d) {
      const int64_t i = src_of(d, idx[d]);
      if (i < 0) out_row = true;
      base += i * xs[d];
    }
    T* dst = yv + row * w;
    for (int64_t j = 0; j < w; ++j) {
      const int64_t i = src_of(r - 1, j);
      dst[j] = out_row || i < 0 ? extrap : xv[base + i];
    }
    for (int d = r - 1; d-- > 0;) {
      if (++idx[d] < y.dim(d)) break;
      idx[d] = 0;
    }
  }
}

template <typename T>
void resize(KernelContext& ctx) {
  const Options o = ir::resize_options(ctx.node());
  if (o.mode == "nearest") return resize_nearest<T>(ctx, o);
  if constexpr (std::is_same_v<T, float>) {
    resize_interp_f32(ctx, o);
  } else {
    ETCH_FAIL(Unsupported) << ctx.node().describe() << ": mode '" << o.mode << "' needs float input, got "
                           << dtype_name(ctx.input(0).dtype());
  }
}

}  // namespace

ETCH_REGISTER_KERNEL("Resize", "", DType::F32, resize<float>);
ETCH_REGISTER_KERNEL("Resize", "", DType::U8, resize<uint8_t>);
ETCH_REGISTER_KERNEL("Resize", "", DType::I8, resize<int8_t>);
ETCH_REGISTER_KERNEL("Resize", "", DType::I32, resize<int32_t>);
ETCH_REGISTER_KERNEL("Resize", "", DType::I64, resize<int64_t>);
ETCH_REGISTER_KERNEL("Upsample", "", DType::F32, resize<float>);
ETCH_REGISTER_KERNEL("Upsample", "", DType::U8, resize<uint8_t>);
ETCH_REGISTER_KERNEL("Upsample", "", DType::I8, resize<int8_t>);
ETCH_REGISTER_KERNEL("Upsample", "", DType::I32, resize<int32_t>);
ETCH_REGISTER_KERNEL("Upsample", "", DType::I64, resize<int64_t>);
// Every output element is written.
ETCH_KERNEL_OVERWRITES_OUTPUTS("Resize", "", DType::F32);
ETCH_KERNEL_OVERWRITES_OUTPUTS("Resize", "", DType::U8);
ETCH_KERNEL_OVERWRITES_OUTPUTS("Resize", "", DType::I8);
ETCH_KERNEL_OVERWRITES_OUTPUTS("Resize", "", DType::I32);
ETCH_KERNEL_OVERWRITES_OUTPUTS("Resize", "", DType::I64);
ETCH_KERNEL_OVERWRITES_OUTPUTS("Upsample", "", DType::F32);
ETCH_KERNEL_OVERWRITES_OUTPUTS("Upsample", "", DType::U8);
ETCH_KERNEL_OVERWRITES_OUTPUTS("Upsample", "", DType::I8);
ETCH_KERNEL_OVERWRITES_OUTPUTS("Upsample", "", DType::I32);
ETCH_KERNEL_OVERWRITES_OUTPUTS("Upsample", "", DType::I64);

}  // namespace etch::runtime
