#include "etch/runtime/kernels/nn_conv_dilated.h"

#include <algorithm>
#include <memory>

#include "etch/core/thread_pool.h"

namespace etch::runtime {
namespace {

// The convolution of one phase image: its input is the phase's rows and
// columns of the zero-padded input, enough for every output of the phase.
Geom3 phase_geometry(const Geom3& g) {
  Geom3 p = g;
  for (int i = 1; i < 3; ++i) {
    p.out[i] = (g.out[i] + g.d[i] - 1) / g.d[i];
    p.in[i] = p.out[i] + g.k[i] - 1;
    p.d[i] = 1;
    p.p[i] = 0;
  }
  return p;
}

}  // namespace

bool dilated_conv_by_phases_supported(const Geom3& g, int64_t groups, int64_t c, int64_t m) {
  if (g.in[0] != 1 || g.k[0] != 1 || g.s[1] != 1 || g.s[2] != 1 || (g.d[1] == 1 && g.d[2] == 1)) return false;
  return onednn_conv_supported(phase_geometry(g), groups, c, m);
}

bool dilated_conv_sums(const Geom3& g, int64_t batch, int64_t c, int64_t m, const float* x, const float* w, float* y,
                       OnednnWeightCache* cache) {
  const Geom3 p = phase_geometry(g);
  const int64_t dh = g.d[1], dw = g.d[2], phases = dh * dw;
  const int64_t in_h = g.in[1], in_w = g.in[2], out_h = g.out[1], out_w = g.out[2];
  const int64_t p_in = p.in[1] * p.in[2], p_out = p.out[1] * p.out[2];
  // Phase (a, b) of image n is image n·phases + a·dw + b of the phase batch;
  // one item is one phase row of every column phase b.
  const auto in = std::make_unique_for_overwrite<float[]>(static_cast<size_t>(batch * phases * c * p_in));
  parallel_for(batch * c * dh, 1, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const int64_t a = i % dh, ch = i / dh % c, n = i / (dh * c);
      const float* plane = x + (n * c + ch) * in_h * in_w;
      for (int64_t b = 0; b < dw; ++b) {
        // Columns v of phase b read input column b + dw·v - p_l, inside the image for v in [v0, v1).
        const int64_t first = b - g.p[2];
        const int64_t v0 = std::clamp<int64_t>(first >= 0 ? 0 : (-first + dw - 1) / dw, 0, p.in[2]);
        const int64_t v1 = std::clamp<int64_t>(in_w - first > 0 ? (in_w - first + dw - 1) / dw : 0, v0, p.in[2]);
        float* to = in.get() + ((n * phases + a * dw + b) * c + ch) * p_in;
        for (int64_t u = 0; u < p.in[1]; ++u, to += p.in[2]) {
          const int64_t r = a + dh * u - g.p[1];
          if (r < 0 || r >= in_h) {
            std::fill_n(to, p.in[2], 0.0f);
            continue;
          }
          const float* row = plane + r * in_w + first;
          std::fill_n(to, v0, 0.0f);
          for (int64_t v = v0; v < v1; ++v) to[v] = row[dw * v];
          std::fill(to + v1, to + p.in[2], 0.0f);
        }
      }
    }
  });
  const auto sums = std::make_unique_for_overwrite<float[]>(static_cast<size_t>(batch * phases * m * p_out));
  ConvBlockSink sink;
  sink.dst = [&](int64_t n, int64_t oc0) { return sums.get() + (n * m + oc0) * p_out; };
  sink.finish = [](int64_t, int64_t, int64_t, int64_t, int64_t, float*) {};
  if (!onednn_conv(p, batch * phases, c, m, in.get(), w, sink, cache)) return false;
  parallel_for(batch * m, 1, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const int64_t n = i / m, oc = i % m;
      float* plane = y + i * out_h * out_w;
      for (int64_t r = 0; r < out_h; ++r)
        for (int64_t b = 0; b < dw && b < out_w; ++b) {
          const float* from = sums.get() + ((n * phases + (r % dh) * dw + b) * m + oc) * p_out + (r / dh) * p.out[2];
          float* to = plane + r * out_w + b;
          const int64_t count = (out_w - b + dw - 1) / dw;
          for (int64_t v = 0; v < count; ++v) to[dw * v] = from[v];
        }
    }
  });
  return true;
}

}  // namespace etch::runtime
