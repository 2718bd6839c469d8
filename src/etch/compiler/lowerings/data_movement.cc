// Flatten and Reshape: views of their input. The compiler aliases the input's
// DRAM when neither side is padded; otherwise the layer copies the interior
// out of the input's halo on the vector unit.
#include "etch/compiler/emit_vector.h"
#include "etch/compiler/lowering.h"
#include "etch/compiler/lowerings/common.h"

namespace etch::compiler::lowerings {
namespace {

Lowering view(const char* op) {
  Lowering l;
  l.op_type = op;
  l.reason_for_host = [](const ir::Graph& g, const ir::Node& n) -> std::string {
    return is_int8(g, n, 0) ? "" : "float data";
  };
  l.kind = [](const ConvSpec*) { return "copy"; };
  l.emit = [](ProgramBuilder& b, const VectorLayer& v) {
    const npu::TensorDesc& src = v.desc(v.n.inputs[0]);
    npu::TensorDesc dst = src;
    dst.pad = 0;
    dst.dram_addr = v.desc(v.n.outputs[0]).dram_addr;
    emit_copy(b, {v.n.name, src, dst});
  };
  l.keeps_input_quantization = true;
  l.view = true;
  return l;
}

}  // namespace

ETCH_REGISTER_LOWERING(view("Flatten"));
ETCH_REGISTER_LOWERING(view("Reshape"));

}  // namespace etch::compiler::lowerings
