// A convolution or fully-connected layer as the NPU sees it: per-group sizes,
// the input/output tensors' DRAM layout, and the integer parameters with the
// input zero point already folded into the bias (docs/compiler.md).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "etch/npu/footprint.h"
#include "etch/npu/program.h"

namespace etch::compiler {

struct ConvSpec {
  std::string name;
  bool is_gemm = false;
  int64_t groups = 1, cg = 0, mg = 0;  // input / output channels per group
  int64_t h = 0, w = 0, oh = 0, ow = 0;
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1, pad_t = 0, pad_l = 0;
  npu::TensorDesc in, out;  // DRAM layout (in.pad >= every padding this layer needs)
  int in_tensor = -1, out_tensor = -1;
  // 2:4 sparse: every group of 4 consecutive input channels (same output
  // channel and kernel position) has at most 2 non-zeros, and the target
  // skips them. Weights are then reordered channel-innermost.
  bool sparse = false;
  std::vector<int8_t> weights;  // [groups * mg][cg * kh * kw], ONNX order (c, r, s)
  std::vector<int32_t> bias;    // bias - x_zero_point * sum(w), per output channel
  std::vector<int32_t> mult;    // per output channel
  std::vector<int8_t> shift;
  int32_t y_zp = 0, act_min = -128, act_max = 127;
  // An element-wise int8 function the layer's only consumer applies (a
  // QLut), fused into the requantization: 256 entries indexed by result +
  // 128, or empty. `out` is then that consumer's output.
  std::vector<int8_t> table;
  // Activations kept on chip between two conv/gemm layers (docs/compiler.md,
  // "Activations on chip"): the input buffer holds a whole tensor as an
  // *image*, laid out as in DRAM (halo included). in_image >= 0: the input is
  // already there, at that address, written by the previous layer; the layer
  // loads none of it. out_image >= 0: the layer writes its output there
  // instead of storing it, and fills the image's halo with the zero point.
  // The layer's own slots use the input buffer without its bottom ibuf_lo
  // and top ibuf_hi bytes, where the images are.
  int64_t in_image = -1, out_image = -1;
  // The output image is also stored to DRAM, from the image, for the readers
  // after the next layer (a residual block's input, read by the block's
  // first conv and by its Add).
  bool store_out_image = false;
  bool out_halo_columns = true;  // the next layer reads the output image's halo columns (not only its rows)
  int64_t ibuf_lo = 0, ibuf_hi = 0;

  // Whether the output goes to DRAM (stored from its slots or from the image).
  bool stores_output() const { return out_image < 0 || store_out_image; }
  int64_t kk() const { return kh * kw; }
  int64_t kg() const { return cg * kk(); }  // reduction length per group
  int64_t macs() const { return groups * mg * kg() * oh * ow; }
  // A tile's REQUANT parameter block for tm output channels (with the table).
  int64_t params_bytes(int64_t tm) const { return npu::requant_params_bytes(tm, !table.empty()); }
  // Input rows a tile of th output rows reads. Row-phased (dilated layers,
  // TilePlan::row_phases): the tile's output rows are dh apart, so its input
  // rows are too, and only the (th - 1) * sh + kh rows of that phase are
  // loaded, adjacent in the buffer, instead of every row they span.
  int64_t rows_in(int64_t th, bool phased = false) const {
    return phased ? (th - 1) * sh + kh : (th - 1) * sh + (kh - 1) * dh + 1;
  }
  // Input columns a tile of tw output columns reads.
  int64_t cols_in(int64_t tw) const { return (tw - 1) * sw + (kw - 1) * dw + 1; }
  // Row phases pay off only when dilation spreads the kernel's rows.
  bool can_phase_rows() const { return !is_gemm && dh > 1 && kh > 1; }
};

// True when every group of 4 consecutive input channels has at most 2
// non-zero weights (needs cg % 4 == 0).
bool is_2_4_sparse(const ConvSpec& s);

}  // namespace etch::compiler
