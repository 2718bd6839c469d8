// The NPU lowering registry: one entry per op the compiler knows, each in its
// own file under compiler/lowerings/ and registered there with
// ETCH_REGISTER_LOWERING. An entry answers placement (why a node
// stays on the host), the layer kind shown in reports, what the layer becomes
// on the NPU (an array layer's ConvSpec or a vector layer's emission), and
// what the compiler needs to lay out its tensors (padding, zero points).
// The compiler driver holds no list of op names: it looks nodes up here, and a
// node whose op has no entry runs on the host ("no NPU lowering for <op>").
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "etch/compiler/conv_spec.h"
#include "etch/compiler/program_builder.h"
#include "etch/ir/graph.h"

namespace etch::compiler {

// What a vector-unit layer's emission reads: the node and the DRAM layout of
// each of its (non-constant) values.
struct VectorLayer {
  const ir::Graph& g;
  const ir::Node& n;
  std::function<const npu::TensorDesc&(ir::ValueId)> desc;
  // An input its writer left on chip (Lowering::reads_image): the value and
  // its address in the input buffer.
  ir::ValueId image_value = ir::kNoValue;
  int64_t image_addr = -1;
  // Where to write the output for the next conv/gemm layer to read in place
  // (Lowering::writes_image; -1: to DRAM).
  int64_t out_image = -1;
  bool out_halo_columns = true;  // the reader reads the image's halo columns (ConvSpec::out_halo_columns)
  bool store_out_image = false;  // ... and store it to DRAM from there, for later readers
  // Bytes the images hold at the input buffer's bottom (ibuf_lo) and top
  // (ibuf_hi), which the layer's own slots avoid.
  int64_t ibuf_lo = 0, ibuf_hi = 0;
  // v's address in the input buffer when it is on chip, else -1.
  int64_t image(ir::ValueId v) const { return v == image_value ? image_addr : -1; }
};

// The role of a model-boundary op, which converts between float and int8 on
// the host and defines the quantization of the int8 side.
enum class Boundary { None, Quantize, Dequantize };

struct Lowering {
  std::string op_type;
  std::string domain;  // "" = ai.onnx
  // Why `n` stays on the host; "" when the NPU runs it. Called after the
  // generic checks (known batch-1 shapes) have passed.
  std::function<std::string(const ir::Graph& g, const ir::Node& n)> reason_for_host;
  // Layer kind in reports ("conv", "add", ...); `spec` is the array layer's
  // spec (null for vector layers).
  std::function<std::string(const ConvSpec* spec)> kind;
  // Array layers (matrix multiply on the systolic array): the spec the mapper
  // tiles. Exactly one of `array` and `emit` is set for an op the NPU runs.
  std::function<ConvSpec(const ir::Graph& g, const ir::Node& n, const npu::TensorDesc& in, const npu::TensorDesc& out)>
      array;
  // Vector layers: emits the layer (and its BARRIER).
  std::function<void(ProgramBuilder& b, const VectorLayer& layer)> emit;
  // A vector layer that can read any one of its inputs from an image its
  // writer (a conv/gemm layer) left on chip, when the tensor has no halo
  // (a residual Add, a pool).
  bool reads_image = false;
  // A vector layer that can write its output into the input buffer, for the
  // conv/gemm layer after it to read in place: a pool, also into an image
  // with a halo (which it fills with the zero point); a residual Add, into
  // an image without one, and also stored to DRAM from the image when later
  // layers read the tensor too.
  bool writes_image = false;
  bool writes_haloed_image = false;
  bool stores_written_image = false;
  // An element-wise int8 -> int8 op a conv/gemm layer can apply in its
  // REQUANT when it is that layer's only reader: its 256-entry table,
  // indexed by x + 128 (unset: it cannot be fused).
  std::function<std::vector<int8_t>(const ir::Graph& g, const ir::Node& n)> requant_table;
  // Padding the op reads around its first input (none if unset).
  std::function<int64_t(const ir::Node& n)> input_pad;
  // The zero point the op assumes for its first input, which its padding
  // holds (unset or nullopt: the op does not fix it).
  std::function<std::optional<int32_t>(const ir::Node& n)> padding_zero_point;
  // Zero point and scale of the int8 tensor the op produces, when its
  // attributes or constant inputs say (unset or nullopt: they do not).
  std::function<std::optional<int32_t>(const ir::Graph& g, const ir::Node& n)> output_zero_point;
  std::function<std::optional<float>(const ir::Graph& g, const ir::Node& n)> output_scale;
  // Data movement: the output keeps its input's scale and zero point.
  bool keeps_input_quantization = false;
  // Only reshapes its input: may alias the input's DRAM (when neither side is
  // padded), and is worth running on the NPU only between NPU layers.
  bool view = false;
  Boundary boundary = Boundary::None;
  // The float layers with weights that quantization turns into this op (to
  // name an example in "model is not quantized" errors).
  std::vector<std::string> float_forms;
};

// Adds an entry (at static initialization, through ETCH_REGISTER_LOWERING).
void register_lowering(Lowering l);
struct LoweringRegistrar {
  explicit LoweringRegistrar(Lowering l) { register_lowering(std::move(l)); }
};
#define ETCH_LOWERING_CONCAT2(a, b) a##b
#define ETCH_LOWERING_CONCAT(a, b) ETCH_LOWERING_CONCAT2(a, b)
// ETCH_REGISTER_LOWERING(qconv()) with `Lowering qconv()` filling the entry.
#define ETCH_REGISTER_LOWERING(...) \
  static ::etch::compiler::LoweringRegistrar ETCH_LOWERING_CONCAT(etch_lowering_, __COUNTER__)(__VA_ARGS__)

// The entry for `n`'s op, or null.
const Lowering* find_lowering(const ir::Node& n);
// Every registered lowering, ordered by (domain, op_type) so that nothing
// depends on the link order of the files that register them.
const std::vector<Lowering>& all_lowerings();
// (op_type, domain) of every registered lowering, for consistency checks
// against the op registry (ir::find_op).
std::vector<std::pair<std::string, std::string>> registered_lowerings();

}  // namespace etch::compiler
