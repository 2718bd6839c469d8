// MaxPool and QAveragePool on the vector unit: 2-D windows up to 255 wide,
// without ceil_mode or dilation. Padding is skipped by the window's valid
// range, so it needs no particular value. Either reads its input in place
// where the conv/gemm layer before it left it on chip, and writes its output
// in place for the conv/gemm layer after it.
#include "etch/compiler/emit_vector.h"
#include "etch/compiler/lowering.h"
#include "etch/compiler/lowerings/common.h"
#include "etch/ir/ops/qint_ops.h"
#include "etch/ir/ops/qint_params.h"

namespace etch::compiler::lowerings {
namespace {

std::string pool_reason(const ir::Graph& g, const ir::Node& n) {
  if (!is_int8(g, n, 0) || rank(g, n.inputs[0]) != 4) return "needs a 4-D int8 input";
  if (n.attr_int("ceil_mode", 0) != 0) return "ceil_mode";
  for (int64_t d : n.attr_ints("dilations", {1, 1}))
    if (d != 1) return "dilated pooling";
  if (n.outputs.size() > 1 && n.outputs[1] != ir::kNoValue) return "MaxPool indices output";
  for (int64_t k : n.attr_ints("kernel_shape", {1, 1}))
    if (k > 255) return "window larger than 255";
  return "";
}

// The window of the layer's node over its input (on chip where its writer
// left it); average pooling adds its requantization.
PoolSpec pool_spec(const VectorLayer& v) {
  const ir::Node& n = v.n;
  const npu::TensorDesc &in = v.desc(n.inputs[0]), &out = v.desc(n.outputs[0]);
  PoolSpec s;
  s.in_image = v.image(n.inputs[0]);
  s.out_image = v.out_image;
  s.out_halo_columns = v.out_halo_columns;
  s.ibuf_lo = v.ibuf_lo;
  s.ibuf_hi = v.ibuf_hi;
  s.name = n.name;
  s.in = in;
  s.out = out;
  s.c = in.c;
  s.h = in.h;
  s.w = in.w;
  s.oh = out.h;
  s.ow = out.w;
  const auto k = n.attr_ints("kernel_shape", {in.h, in.w}), st = n.attr_ints("strides", {1, 1});
  const auto pd = n.attr_ints("pads", {0, 0, 0, 0});
  s.kh = k[0];
  s.kw = k[1];
  s.sh = st[0];
  s.sw = st[1];
  s.pad_t = pd[0];
  s.pad_l = pd[1];
  return s;
}

Lowering max_pool() {
  Lowering l;
  l.op_type = "MaxPool";
  l.reason_for_host = pool_reason;
  l.kind = [](const ConvSpec*) { return "maxpool"; };
  l.emit = [](ProgramBuilder& b, const VectorLayer& v) { emit_pool(b, pool_spec(v)); };
  l.reads_image = true;
  l.writes_image = true;
  l.writes_haloed_image = true;
  l.input_pad = max_pad;
  l.keeps_input_quantization = true;
  return l;
}

Lowering qaverage_pool() {
  Lowering l;
  l.op_type = "QAveragePool";
  l.domain = ir::kEtchDomain;
  l.reason_for_host = pool_reason;
  l.kind = [](const ConvSpec*) { return "avgpool"; };
  l.emit = [](ProgramBuilder& b, const VectorLayer& v) {
    PoolSpec s = pool_spec(v);
    s.avg = true;
    s.q = ir::qpool_params(v.n);
    emit_pool(b, s);
  };
  l.reads_image = true;
  l.writes_image = true;
  l.writes_haloed_image = true;
  l.input_pad = max_pad;
  l.padding_zero_point = [](const ir::Node& n) -> std::optional<int32_t> { return ir::qpool_params(n).x_zero_point; };
  l.output_zero_point = [](const ir::Graph&, const ir::Node& n) -> std::optional<int32_t> {
    return ir::qpool_params(n).y.zero_point;
  };
  return l;
}

}  // namespace

ETCH_REGISTER_LOWERING(max_pool());
ETCH_REGISTER_LOWERING(qaverage_pool());

}  // namespace etch::compiler::lowerings
