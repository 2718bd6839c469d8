// Layers that run on the vector unit only: pooling, element-wise add, table
// lookup and copies (concat, flatten of a padded tensor). Each is tiled over
// channels and output rows and pipelined load -> vector op -> store with two
// slots per operand.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "etch/compiler/program_builder.h"
#include "etch/ir/ops/qint_params.h"

namespace etch::compiler {

struct PoolSpec {
  std::string name;
  bool avg = false;
  int64_t c = 0, h = 0, w = 0, oh = 0, ow = 0, kh = 1, kw = 1, sh = 1, sw = 1, pad_t = 0, pad_l = 0;
  npu::TensorDesc in, out;
  ir::QPoolParams q;  // average pooling's requantization (unused by max)
  // The input where its writer left it on chip (VectorLayer::image): its
  // address in the input buffer (-1: in DRAM), laid out as in DRAM; the layer
  // then loads nothing and keeps its output slots clear of it.
  int64_t in_image = -1;
  // The output written where the next conv/gemm layer reads it
  // (VectorLayer::out_image; -1: stored to DRAM), laid out as in DRAM; its
  // halo (of the reader's padding) gets the zero point, its columns only
  // where the reader reads them.
  int64_t out_image = -1;
  bool out_halo_columns = true;
  int64_t ibuf_lo = 0, ibuf_hi = 0;  // bytes the images hold at the buffer's bottom / top
};

struct AddSpec {
  std::string name;
  npu::TensorDesc a, b, out;
  ir::QAddParams q;
  // An operand its writer left on chip (VectorLayer::image): its address in
  // the input buffer (-1: in DRAM), channel planes without a halo; the layer
  // then loads only the other operand and keeps its own slots clear of it.
  int64_t a_image = -1, b_image = -1;
  int64_t ibuf_lo = 0, ibuf_hi = 0;  // bytes the images hold at the buffer's bottom / top
  // The output written where the next conv/gemm layer reads it (-1: stored
  // to DRAM), channel planes without a halo; with store_out_image it is also
  // stored to DRAM from there, for later readers.
  int64_t out_image = -1;
  bool store_out_image = false;
};

struct LutSpec {
  std::string name;
  npu::TensorDesc in, out;
  std::vector<int8_t> table;  // 256 entries, indexed by x + 128
};

// Copies `src` into `dst`, a view with the same c x h x w (e.g. a channel
// slice of a concat output, or a flattened tensor seen as c x h x w, pad 0).
struct CopySpec {
  std::string name;
  npu::TensorDesc src, dst;
};

// The tiling the vector layers share, for lowerings that emit their own vector
// op: a tile is channels c0.. (tc of them) x output rows y0.. (th).
struct Tile {
  int64_t c0, tc, y0, th;
};
// Largest (tc, th), all channels if possible, whose double-buffered footprint
// bytes(tc, th) fits the input buffer; InvalidInput naming the layer if none.
// With `whole_planes` every tile holds all oh rows (a [tc][oh][w] block is
// then contiguous in a tensor without a halo); `capacity` is the part of the
// input buffer the slots may use.
std::vector<Tile> make_tiles(const std::string& name, int64_t c, int64_t oh, const npu::Target& t,
                             const std::function<int64_t(int64_t, int64_t)>& bytes, int64_t capacity = -1,
                             bool whole_planes = false);
// DMA between a [tc][th][w] contiguous SRAM block and rows y0.. of channels
// c0.. of a tensor's interior.
npu::Instr interior(npu::Opcode op, const npu::TensorDesc& d, int64_t sram, const Tile& tl);
// load -> op -> store for every tile, two slots each, then a BARRIER. A
// layer that reads its input on chip has no loads, one that leaves its output
// on chip no stores (for every tile alike).
void pipeline(ProgramBuilder& b, size_t n, const std::function<std::vector<npu::Instr>(size_t, int)>& loads,
              const std::function<npu::Instr(size_t, int)>& op,
              const std::function<std::optional<npu::Instr>(size_t, int)>& store);

// Each emits the layer and a BARRIER; InvalidInput naming the layer if even one
// row of one channel does not fit the input buffer.
void emit_pool(ProgramBuilder& b, const PoolSpec& s);
void emit_add(ProgramBuilder& b, const AddSpec& s);
void emit_lut(ProgramBuilder& b, const LutSpec& s);
void emit_copy(ProgramBuilder& b, const CopySpec& s);

}  // namespace etch::compiler
