// An NPU program: what the compiler produces and the simulator runs, complete
// on its own (the simulator never sees the Graph). The file is versioned
// binary (docs/npu-isa.md, "Program file"): header, target, instructions,
// weight image, tensor descriptors, layer and segment tables.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "etch/core/huge_page_allocator.h"
#include "etch/npu/isa.h"
#include "etch/npu/target.h"

namespace etch::npu {

constexpr uint32_t kProgramVersion = 2;  // 2: DMA background bit

// An int8 activation in DRAM, batch 1, stored channel-major with a halo of
// `pad` elements on every side of each channel plane holding `zero_point`
// (so that convolution padding needs no special case). Element (c, y, x) is
// at dram_addr + c * chan_stride() + (y + pad) * pitch() + (x + pad).
struct TensorDesc {
  std::string name;             // the graph value's name
  std::vector<int64_t> shape;   // logical shape, batch 1 (e.g. [1, 16, 14, 14] or [1, 10])
  int64_t c = 0, h = 0, w = 0;  // the shape as channels x rows x columns
  int64_t pad = 0;
  uint64_t dram_addr = 0;
  float scale = 1;
  int32_t zero_point = 0;

  int64_t pitch() const { return w + 2 * pad; }
  int64_t chan_stride() const { return (h + 2 * pad) * pitch(); }
  int64_t dram_bytes() const { return c * chan_stride(); }
  int64_t numel() const { return c * h * w; }
  bool operator==(const TensorDesc&) const = default;
};

struct LayerInfo {
  std::string name;  // graph node name
  std::string kind;  // "conv", "gemm", "pool", "add", ...
  int64_t macs = 0;  // useful multiply-accumulates (0 for vector layers)
  bool operator==(const LayerInfo&) const = default;
};

// A run of instructions ending in HALT; between segments the host runs the
// graph's non-NPU nodes. inputs/outputs index Program::tensors.
struct Segment {
  uint32_t first = 0, end = 0;  // instruction range [first, end), last one a HALT
  std::vector<int> inputs, outputs;
  bool operator==(const Segment&) const = default;
};

// An element-wise float step applied to the model input before it is
// quantized (e.g. the (x - mean) / std a model starts with), kept so that a
// program can run from its file alone. values has 1 entry or one per channel.
struct InputOp {
  enum Kind : uint8_t { Sub = 0, Div = 1, Mul = 2, Add = 3 };
  uint8_t kind = Sub;
  std::vector<float> values;
  bool operator==(const InputOp&) const = default;
};

// Instruction lists run to hundreds of megabytes for large models on small
// targets (huge_page_allocator.h).
using InstrList = std::vector<Instr, HugePageAllocator<Instr>>;

struct Program {
  Target target;
  uint64_t dram_bytes = 0;            // DRAM size
  uint64_t weight_addr = 0;           // where the weight image sits in DRAM (after the activations)
  std::vector<uint8_t> weight_image;  // weights, biases, requantization parameters, tables
  InstrList instrs;
  std::vector<TensorDesc> tensors;
  std::vector<LayerInfo> layers;
  std::vector<Segment> segments;
  std::vector<int> inputs, outputs;  // the model's int8 inputs/outputs (Program::tensors indices)
  std::vector<InputOp> input_ops;    // float preprocessing of inputs[0] before QuantizeLinear
  bool operator==(const Program&) const = default;
};

std::string serialize_program(const Program& p);
// `label` names the source in errors. Every malformed input (truncated, wrong
// magic or version, corrupted instruction, out-of-range operand) is an
// InvalidInput error; the result has passed validate_program.
Program deserialize_program(const std::string& bytes, const std::string& label);
void save_program(const std::string& path, const Program& p);  // atomic
Program load_program(const std::string& path);

// Checks every instruction against the target (buffer bounds, array size,
// DRAM bounds), tensors against DRAM, layer ids, segments. InvalidInput naming
// `label`, the instruction index and the operand.
void validate_program(const Program& p, const std::string& label);

}  // namespace etch::npu
