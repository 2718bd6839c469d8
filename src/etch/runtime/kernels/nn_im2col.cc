#include "etch/runtime/kernels/nn_im2col.h"

#include <algorithm>
#include <cstring>

namespace etch::runtime {

Geom3 make_geom3(const ir::Window& w) {
  Geom3 g;
  const int off = 3 - w.nd;
  for (int i = 0; i < 3; ++i) {
    const int j = i - off;
    const bool real = j >= 0;
    g.in[i] = real ? w.in[j] : 1;
    g.out[i] = real ? w.out[j] : 1;
    g.k[i] = real ? w.kernel[j] : 1;
    g.s[i] = real ? w.strides[j] : 1;
    g.d[i] = real ? w.dilations[j] : 1;
    g.p[i] = real ? w.pad_begin[j] : 0;
  }
  return g;
}

namespace {
// Range [lo, hi) of j in [0, count) with 0 <= base + j*stride < limit.
inline void valid_range(int64_t base, int64_t stride, int64_t limit, int64_t count, int64_t& lo, int64_t& hi) {
  lo = base >= 0 ? 0 : (-base + stride - 1) / stride;
  hi = base > limit - 1 ? 0 : (limit - 1 - base) / stride + 1;
  lo = std::min(lo, count);
  hi = std::clamp(hi, lo, count);
}
}  // namespace

namespace {
// Whole 2-D image, stride 1, output as wide as the input ("same" padding in
// width): a tap's column row is the image shifted by a constant offset, so it
// is one contiguous copy of the valid rows followed by zeroing the |offset|
// border columns per row and the rows that fall outside the image.
#if defined(__GNUC__) && !defined(__clang__)
// The border loops zero one or two floats per row; GCC would turn each into a
// memset call, which cost more than the copy itself.
__attribute__((optimize("no-tree-loop-distribute-patterns")))
#endif
void im2col_2d_shift(const Geom3& g, int64_t channels, const float* x, float* col) {
  const int64_t oh_n = g.out[1], w = g.out[2], ih_n = g.in[1], plane = oh_n * w, in_sz = ih_n * w;
  float* dst = col;
  for (int64_t c = 0; c < channels; ++c) {
    const float* xc = x + c * in_sz;
    for (int64_t kh = 0; kh < g.k[1]; ++kh) {
      const int64_t dh = kh * g.d[1] - g.p[1];  // ih = oh + dh
      const int64_t oh_lo = std::clamp<int64_t>(-dh, 0, oh_n), oh_hi = std::clamp<int64_t>(ih_n - dh, oh_lo, oh_n);
      for (int64_t kw = 0; kw < g.k[2]; ++kw, dst += plane) {
        const int64_t dw = kw * g.d[2] - g.p[2];  // iw = ow + dw
        if (oh_lo > 0) std::memset(dst, 0, oh_lo * w * sizeof(float));
        if (oh_hi < oh_n) std::memset(dst + oh_hi * w, 0, (oh_n - oh_hi) * w * sizeof(float));
        // Copy [oh_lo·w, oh_hi·w) from source offset (oh+dh)·w + dw, clipped to
        // the channel's plane; what the clipping skips are border columns.
        int64_t d0 = oh_lo * w, d1 = oh_hi * w;
        const int64_t shift = dh * w + dw;
        d0 = std::max(d0, -shift);
        d1 = std::min(d1, in_sz - shift);
        if (d1 > d0) std::memcpy(dst + d0, xc + d0 + shift, (d1 - d0) * sizeof(float));
        const int64_t left = std::clamp<int64_t>(-dw, 0, w), right = std::clamp<int64_t>(w - dw, left, w);
        for (int64_t oh = oh_lo; oh < oh_hi; ++oh) {
          float* row = dst + oh * w;
          for (int64_t j = 0; j < left; ++j) row[j] = 0.0f;
          for (int64_t j = right; j < w; ++j) row[j] = 0.0f;
        }
      }
    }
  }
}

// Whole 2-D image: each (channel, tap) row is one bounded, strided copy per
// output row with the valid column range computed once per tap; inline loops
// instead of a memcpy call per short segment.
void im2col_2d(const Geom3& g, int64_t channels, const float* x, float* col, bool overshoot_ok) {
  const int64_t oh_n = g.out[1], ow_n = g.out[2], ih_n = g.in[1], iw_n = g.in[2];
  const int64_t sh = g.s[1], sw = g.s[2];
  float* dst = col;
  for (int64_t c = 0; c < channels; ++c) {
    const float* xc = x + c * ih_n * iw_n;
    for (int64_t kh = 0; kh < g.k[1]; ++kh)
      for (int64_t kw = 0; kw < g.k[2]; ++kw) {
        const int64_t base_w = kw * g.d[2] - g.p[2];
        int64_t lo, hi;
        valid_range(base_w, sw, iw_n, ow_n, lo, hi);
        for (int64_t oh = 0; oh < oh_n; ++oh, dst += ow_n) {
          const int64_t ih = oh * sh - g.p[1] + kh * g.d[1];
          if (ih < 0 || ih >= ih_n) {
            for (int64_t j = 0; j < ow_n; ++j) dst[j] = 0.0f;
            continue;
          }
          const float* src = xc + ih * iw_n + base_w;
          for (int64_t j = 0; j < lo; ++j) dst[j] = 0.0f;
          if (sw == 1 && overshoot_ok) {
            // Whole 4-float groups: may read up to 3 floats past the row (the
            // image's tensor has 64 bytes of padding) and write up to 3 past
            // the segment, which later segments (or the slack) overwrite.
            for (int64_t j = lo; j < hi; j += 4) std::memcpy(dst + j, src + j, 4 * sizeof(float));
          } else if (sw == 1) {
            for (int64_t j = lo; j < hi; ++j) dst[j] = src[j];
          } else {
            for (int64_t j = lo; j < hi; ++j) dst[j] = src[j * sw];
          }
          for (int64_t j = hi; j < ow_n; ++j) dst[j] = 0.0f;
        }
      }
  }
}
}  // namespace

void im2col(const Geom3& g, int64_t channels, const float* x, int64_t p0, int64_t p1, float* col, bool slack) {
  if (p0 == 0 && p1 == g.out_size() && g.in[0] == 1 && g.out[0] == 1 && g.k[0] == 1) {
    if (g.s[1] == 1 && g.s[2] == 1 && g.in[2] == g.out[2])
      im2col_2d_shift(g, channels, x, col);
    else
      im2col_2d(g, channels, x, col, slack);
    return;
  }
  const int64_t len = p1 - p0, plane = g.out[1] * g.out[2];
  int64_t row = 0;
  for (int64_t c = 0; c < channels; ++c) {
    const float* xc = x + c * g.in_size();
    for (int64_t kd = 0; kd < g.k[0]; ++kd)
      for (int64_t kh = 0; kh < g.k[1]; ++kh)
        for (int64_t kw = 0; kw < g.k[2]; ++kw, ++row) {
          float* dst = col + row * len;
          int64_t p = p0, od = p / plane, oh = (p % plane) / g.out[2], ow = p % g.out[2];
          while (p < p1) {
            const int64_t seg = std::min(g.out[2] - ow, p1 - p);
            const int64_t id = od * g.s[0] - g.p[0] + kd * g.d[0];
            const int64_t ih = oh * g.s[1] - g.p[1] + kh * g.d[1];
            if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1]) {
              std::memset(dst, 0, seg * sizeof(float));
            } else {
              const float* src = xc + (id * g.in[1] + ih) * g.in[2];
              const int64_t base = ow * g.s[2] - g.p[2] + kw * g.d[2];
              int64_t lo, hi;
              valid_range(base, g.s[2], g.in[2], seg, lo, hi);
              for (int64_t j = 0; j < lo; ++j) dst[j] = 0.0f;
              if (g.s[2] == 1) {
                std::memcpy(dst + lo, src + base + lo, (hi - lo) * sizeof(float));
              } else {
                const float* s = src + base;
                for (int64_t j = lo; j < hi; ++j) dst[j] = s[j * g.s[2]];
              }
              for (int64_t j = hi; j < seg; ++j) dst[j] = 0.0f;
            }
            dst += seg;
            p += seg;
            ow = 0;
            if (++oh == g.out[1]) {
              oh = 0;
              ++od;
            }
          }
        }
  }
}

void col2im_add(const Geom3& g, int64_t channels, const float* col, float* y) {
  const int64_t len = g.out_size();
  int64_t row = 0;
  for (int64_t c = 0; c < channels; ++c) {
    float* yc = y + c * g.in_size();
    for (int64_t kd = 0; kd < g.k[0]; ++kd)
      for (int64_t kh = 0; kh < g.k[1]; ++kh)
        for (int64_t kw = 0; kw < g.k[2]; ++kw, ++row) {
          const float* src = col + row * len;
          for (int64_t od = 0; od < g.out[0]; ++od) {
            const int64_t id = od * g.s[0] - g.p[0] + kd * g.d[0];
            for (int64_t oh = 0; oh < g.out[1]; ++oh, src += g.out[2]) {
              const int64_t ih = oh * g.s[1] - g.p[1] + kh * g.d[1];
              if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1]) continue;
              float* dst = yc + (id * g.in[1] + ih) * g.in[2];
              const int64_t base = -g.p[2] + kw * g.d[2];
              int64_t lo, hi;
              valid_range(base, g.s[2], g.in[2], g.out[2], lo, hi);
              for (int64_t j = lo; j < hi; ++j) dst[base + j * g.s[2]] += src[j];
            }
          }
        }
  }
}

void copy_rows_padded(const float* plane, int64_t ih_n, int64_t iw_n, int64_t ih0, int64_t rows, int64_t pw,
                      int64_t ldp, float* buf) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = buf + r * ldp;
    const int64_t ih = ih0 + r;
    if (ih < 0 || ih >= ih_n) {
      std::fill(row, row + ldp, 0.0f);
      continue;
    }
    std::fill(row, row + pw, 0.0f);
    std::copy(plane + ih * iw_n, plane + (ih + 1) * iw_n, row + pw);
    std::fill(row + pw + iw_n, row + ldp, 0.0f);
  }
}

}  // namespace etch::runtime
