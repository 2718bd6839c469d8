// Concat along channels on the vector unit: one copy per input into its
// channel slice of the output. A constant input (the zeros of channel
// padding, already on the output's grid) is copied from the weight image; an
// input the compiler allocated inside the output (compiler.cc,
// concat_in_place) is not copied at all.
#include "etch/compiler/emit_vector.h"
#include "etch/compiler/lowering.h"
#include "etch/compiler/lowerings/common.h"

namespace etch::compiler::lowerings {
namespace {

Lowering concat() {
  Lowering l;
  l.op_type = "Concat";
  l.reason_for_host = [](const ir::Graph& g, const ir::Node& n) -> std::string {
    for (size_t i = 0; i < n.inputs.size(); ++i)
      if (!is_int8(g, n, i) || rank(g, n.inputs[i]) != 4) return "needs 4-D int8 inputs";
    const int64_t axis = n.attr_int("axis", 1);
    if (axis != 1 && axis != -3) return "only channel concatenation";
    return "";
  };
  l.kind = [](const ConvSpec*) { return "concat"; };
  l.emit = [](ProgramBuilder& b, const VectorLayer& v) {
    const npu::TensorDesc& y = v.desc(v.n.outputs[0]);
    int64_t off = 0;
    for (size_t i = 0; i < v.n.inputs.size(); ++i) {
      npu::TensorDesc src;
      if (const Tensor* t = constant(v.g, v.n, i)) {
        src = y;
        src.name = v.g.value(v.n.inputs[i]).name;
        src.shape = t->shape();
        src.c = t->dim(1);
        src.pad = 0;
        src.dram_addr = b.add_weights(t->data<int8_t>(), static_cast<size_t>(t->numel()));
      } else {
        src = v.desc(v.n.inputs[i]);
      }
      npu::TensorDesc dst = y;
      dst.c = src.c;
      dst.dram_addr = y.dram_addr + off * y.chan_stride();
      off += src.c;
      // An input the compiler placed inside the output is there already.
      if (src.dram_addr == dst.dram_addr && src.pad == dst.pad) continue;
      emit_copy(b, {v.n.name, src, dst});
    }
  };
  l.keeps_input_quantization = true;
  return l;
}

}  // namespace

ETCH_REGISTER_LOWERING(concat());

}  // namespace etch::compiler::lowerings
