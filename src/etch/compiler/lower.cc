#include "etch/compiler/lower.h"

#include <fmt/format.h>

#include "etch/compiler/lowering.h"
#include "etch/compiler/lowerings/common.h"
#include "etch/core/error.h"
#include "etch/ir/ops/qint_params.h"

namespace etch::compiler {

Shape batch1_shape(const ir::Value& v) {
  if (!v.has_shape) return {};
  Shape s = v.shape;
  if (!s.empty() && (s[0] == -1 || s[0] == 1)) s[0] = 1;
  for (int64_t d : s)
    if (d < 1) return {};
  return s;
}

std::string host_reason(const ir::Graph& g, const ir::Node& n) {
  auto known = [&](ir::ValueId v) {
    const Shape s = batch1_shape(g.value(v));
    return !s.empty() && s[0] == 1;
  };
  for (ir::ValueId o : n.outputs)
    if (!known(o)) return "output shape unknown or batch > 1";
  for (size_t i = 0; i < n.inputs.size(); ++i)
    if (n.has_input(i) && !g.value(n.inputs[i]).is_constant() && !known(n.inputs[i]))
      return "input shape unknown or batch > 1";
  const Lowering* l = find_lowering(n);
  if (!l) return fmt::format("no NPU lowering for {}", n.op_type);
  return l->reason_for_host(g, n);
}

int64_t input_pad(const ir::Node& n) {
  const Lowering* l = find_lowering(n);
  return l && l->input_pad ? l->input_pad(n) : 0;
}

std::optional<int32_t> output_zero_point(const ir::Graph& g, const ir::Node& n) {
  const Lowering* l = find_lowering(n);
  return l && l->output_zero_point ? l->output_zero_point(g, n) : std::nullopt;
}

ConvSpec lower_conv(const ir::Graph& g, const ir::Node& n, const npu::TensorDesc& in, const npu::TensorDesc& out,
                    bool gemm) {
  ConvSpec s;
  s.name = n.name;
  s.in = in;
  s.out = out;
  const Tensor& w = *lowerings::constant(g, n, 1);
  const std::vector<int64_t> wv = w.to_int64_vector();
  s.is_gemm = gemm;
  const int64_t M = w.dim(0);
  if (gemm) {
    s.groups = 1;
    s.cg = w.dim(1);
    s.mg = M;
    s.h = s.w = s.oh = s.ow = 1;
  } else {
    s.groups = n.attr_int("group", 1);
    s.cg = w.dim(1);
    s.mg = M / s.groups;
    s.h = in.h;
    s.w = in.w;
    s.oh = out.h;
    s.ow = out.w;
    s.kh = w.dim(2);
    s.kw = w.dim(3);
    const auto st = n.attr_ints("strides", {1, 1}), di = n.attr_ints("dilations", {1, 1});
    const auto pd = n.attr_ints("pads", {0, 0, 0, 0});
    s.sh = st[0];
    s.sw = st[1];
    s.dh = di[0];
    s.dw = di[1];
    s.pad_t = pd[0];
    s.pad_l = pd[1];
  }
  ETCH_REQUIRE(s.cg * s.groups == in.c && M == out.c, InvalidInput)
      << n.describe() << ": weight shape does not match its input/output channels";
  s.weights.resize(wv.size());
  for (size_t i = 0; i < wv.size(); ++i) s.weights[i] = static_cast<int8_t>(wv[i]);
  const ir::QConvParams p = ir::qconv_params(n, M);
  const Tensor* bias = lowerings::constant(g, n, 2);
  const std::vector<int64_t> bv = bias ? bias->to_int64_vector() : std::vector<int64_t>(M, 0);
  const int64_t kg = s.kg();
  s.bias.resize(M);
  for (int64_t m = 0; m < M; ++m) {
    int64_t sum = 0;
    for (int64_t k = 0; k < kg; ++k) sum += s.weights[m * kg + k];
    // acc = bias + sum (x - zx) w = (bias - zx sum w) + sum x w; padding holds zx.
    s.bias[m] = static_cast<int32_t>(static_cast<uint32_t>(bv[m]) - static_cast<uint32_t>(p.x_zero_point * sum));
  }
  for (int64_t m = 0; m < M; ++m) {
    s.mult.push_back(p.channel(m).multiplier);
    s.shift.push_back(static_cast<int8_t>(p.channel(m).shift));
  }
  s.y_zp = p.y.zero_point;
  s.act_min = p.y.act_min;
  s.act_max = p.y.act_max;
  return s;
}

}  // namespace etch::compiler
