// im2col / col2im for up to three spatial dims (1-D and 2-D are padded with
// leading unit dims), used by the fp32 Conv and ConvTranspose kernels.
#pragma once
#include <cstdint>

#include "etch/ir/ops/nn_window.h"

namespace etch::runtime {

// Spatial geometry padded to (D, H, W).
struct Geom3 {
  int64_t in[3], out[3], k[3], s[3], d[3], p[3];
  int64_t in_size() const { return in[0] * in[1] * in[2]; }
  int64_t out_size() const { return out[0] * out[1] * out[2]; }
  int64_t k_size() const { return k[0] * k[1] * k[2]; }
};
Geom3 make_geom3(const ir::Window& w);

// Writes columns [p0, p1) of the (channels·k_size) × out_size column matrix of
// `x` (channels × in_size) into `col` (row stride p1 - p0). Out-of-image taps are 0.
// With `slack`, the caller guarantees that `x` may be read up to 3 floats past
// its end (e.g. it lies in a Tensor, whose storage has 64 bytes of padding) and
// that `col` has kIm2colSlack floats of room past its end, which lets short
// rows be copied in whole vector groups.
constexpr int64_t kIm2colSlack = 4;
void im2col(const Geom3& g, int64_t channels, const float* x, int64_t p0, int64_t p1, float* col, bool slack = false);

// Copies rows [ih0, ih0 + rows) of an ih_n × iw_n plane into buf (row stride
// ldp ≥ pw + iw_n), each shifted right by pw columns, with zeros everywhere
// else: the rows a convolution's taps read, padding included. Every element
// of the rows × ldp buffer is written once.
void copy_rows_padded(const float* plane, int64_t ih_n, int64_t iw_n, int64_t ih0, int64_t rows, int64_t pw,
                      int64_t ldp, float* buf);

// Adds the (channels·k_size) × in_size column matrix `col` into the image `y`
// (channels × out_size), where geometry g describes y → col as in im2col with in/out
// swapped roles: g.in is the image y, g.out the positions of col.
void col2im_add(const Geom3& g, int64_t channels, const float* col, float* y);

}  // namespace etch::runtime
