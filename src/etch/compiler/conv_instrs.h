// The instructions of a conv/gemm layer under a schedule: where every operand
// is in the buffers and in DRAM. conv_steps.cc orders them into steps.
#pragma once
#include <cstdint>
#include <vector>

#include "etch/compiler/conv_spec.h"
#include "etch/compiler/schedule.h"
#include "etch/npu/isa.h"
#include "etch/npu/target.h"

namespace etch::compiler {

// Where a layer's data is: the weight image in DRAM (values, and metadata
// when 2:4 sparse), the start of its weight-buffer region, and each tile's
// requantization parameter block in DRAM. Zero addresses when only timing
// is wanted.
struct ConvPlace {
  uint64_t values = 0, meta = 0;
  int64_t w_base = 0;
  std::vector<uint64_t> param_addr;  // per tile (empty: all 0)
};

// A prefetch is split into background loads of at most this many bytes, so
// that the previous layer's stores wait for at most one of them.
constexpr int64_t kPrefetchPieceBytes = 1024;

// A part of every channel plane of an output image on chip that its halo
// covers: `bytes` contiguous bytes at `offset`.
struct HaloPiece {
  int64_t offset = 0, bytes = 0;
};
// The halo of an image of tensor d: the rows above (with the first row's
// left columns) and below (with the last row's right columns) every plane,
// and the right and left columns between two rows when the reader reads them
// (`columns`, ConvSpec::out_halo_columns); none without a halo.
std::vector<HaloPiece> halo_pieces(const npu::TensorDesc& d, bool columns);
inline std::vector<HaloPiece> halo_pieces(const ConvSpec& s) { return halo_pieces(s.out, s.out_halo_columns); }
// The vector op that writes d's zero point into `bytes` bytes at `offset` of
// every channel plane of d's image at `image` (a HaloPiece): an average POOL
// whose every window lies outside its valid rectangle, so the sum is 0 and
// the result the zero point, with nothing read.
npu::Instr halo_fill(const npu::TensorDesc& d, int64_t image, const HaloPiece& piece);

class ConvInstrs {
 public:
  ConvInstrs(const ConvSpec& s, const Schedule& sc, const npu::Target& t, const ConvPlace& place);
  // The loads of an iteration's weights, one group per fold (dense: values;
  // sparse: values and metadata).
  std::vector<std::vector<npu::Instr>> weight_loads(const Iteration& it) const;
  npu::Instr param_load(const Iteration& it) const;  // the tile's requantization parameters
  npu::Instr input_load(const Iteration& it) const;
  npu::Instr preload(const Iteration& it, int64_t mf, int64_t kf) const;
  npu::Instr matmul(const Iteration& it, int64_t mf, int64_t kf) const;
  // Part `part` of the tile's requantization (schedule.h, requant_parts).
  npu::Instr requant(int tile, int64_t part) const;
  npu::Instr store(int tile) const;
  // halo_fill of a piece of the output image on chip.
  npu::Instr halo_fill(const HaloPiece& piece) const { return compiler::halo_fill(s_.out, s_.out_image, piece); }

 private:
  const ConvSpec& s_;
  const Schedule& sc_;
  const npu::Target& t_;
  const ConvPlace& place_;
  int64_t param_base_ = 0, x_base_ = 0, out_base_ = 0, fk_ = 0;
};

}  // namespace etch::compiler
