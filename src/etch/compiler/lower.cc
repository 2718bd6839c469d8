#include "etch/compiler/lower.h"

#include <fmt/format.h>

#include <algorithm>

#include "etch/core/error.h"

namespace etch::compiler {
namespace {

bool is_etch(const ir::Node& n, const char* op) { return n.domain == "ai.etch" && n.op_type == op; }

const Tensor* constant(const ir::Graph& g, const ir::Node& n, size_t i) {
  if (!n.has_input(i)) return nullptr;
  const ir::Value& v = g.value(n.inputs[i]);
  return v.data ? &*v.data : nullptr;
}

int32_t attr_i32(const ir::Node& n, const char* k, int64_t def) { return static_cast<int32_t>(n.attr_int(k, def)); }

// Per-channel attribute expanded to `count` entries (one value means all).
std::vector<int64_t> per_channel(const ir::Node& n, const char* k, int64_t count) {
  std::vector<int64_t> v = n.attr_ints(k);
  ETCH_REQUIRE(v.size() == 1 || static_cast<int64_t>(v.size()) == count, InvalidInput)
      << n.describe() << ": attribute '" << k << "' has " << v.size() << " values, expected 1 or " << count;
  if (v.size() == 1) v.assign(count, v[0]);
  return v;
}

}  // namespace

Shape batch1_shape(const ir::Value& v) {
  if (!v.has_shape) return {};
  Shape s = v.shape;
  if (!s.empty() && (s[0] == -1 || s[0] == 1)) s[0] = 1;
  for (int64_t d : s)
    if (d < 1) return {};
  return s;
}

std::string host_reason(const ir::Graph& g, const ir::Node& n) {
  auto int8 = [&](size_t i) { return n.has_input(i) && g.value(n.inputs[i]).dtype == DType::I8; };
  auto rank = [&](ir::ValueId v) { return static_cast<int>(batch1_shape(g.value(v)).size()); };
  auto known = [&](ir::ValueId v) {
    const Shape s = batch1_shape(g.value(v));
    return !s.empty() && s[0] == 1;
  };
  for (ir::ValueId o : n.outputs)
    if (!known(o)) return "output shape unknown or batch > 1";
  for (size_t i = 0; i < n.inputs.size(); ++i)
    if (n.has_input(i) && !g.value(n.inputs[i]).is_constant() && !known(n.inputs[i]))
      return "input shape unknown or batch > 1";
  if (is_etch(n, "QConv")) {
    if (!int8(0) || !constant(g, n, 1)) return "needs int8 input and constant weights";
    if (rank(n.inputs[0]) != 4) return "only 2-D convolution";
    for (int64_t k : n.attr_ints("kernel_shape", {1, 1}))
      if (k > 255) return "kernel larger than 255";
    for (int64_t s : n.attr_ints("strides", {1, 1}))
      if (s > 255) return "stride larger than 255";
    return "";
  }
  if (is_etch(n, "QGemm")) {
    if (!int8(0) || !constant(g, n, 1)) return "needs int8 input and constant weights";
    if (rank(n.inputs[0]) != 2) return "input must be [1, K]";
    return "";
  }
  if (is_etch(n, "QAdd")) {
    if (!int8(0) || !int8(1)) return "needs int8 inputs";
    if (batch1_shape(g.value(n.inputs[0])) != batch1_shape(g.value(n.inputs[1])))
      return "broadcasting add (inputs differ in shape)";
    return "";
  }
  if (is_etch(n, "QAveragePool") || (n.domain.empty() && n.op_type == "MaxPool")) {
    if (!int8(0) || rank(n.inputs[0]) != 4) return "needs a 4-D int8 input";
    if (n.attr_int("ceil_mode", 0) != 0) return "ceil_mode";
    for (int64_t d : n.attr_ints("dilations", {1, 1}))
      if (d != 1) return "dilated pooling";
    if (n.outputs.size() > 1 && n.outputs[1] != ir::kNoValue) return "MaxPool indices output";
    for (int64_t k : n.attr_ints("kernel_shape", {1, 1}))
      if (k > 255) return "window larger than 255";
    return "";
  }
  if (is_etch(n, "QLut")) {
    const Tensor* t = constant(g, n, 1);
    if (!int8(0) || !t || t->numel() != 256 || t->dtype() != DType::I8) return "needs int8 input and a 256-entry table";
    return "";
  }
  if (n.domain.empty() && (n.op_type == "Flatten" || n.op_type == "Reshape")) {
    if (!int8(0)) return "float data";
    return "";
  }
  if (n.domain.empty() && n.op_type == "Concat") {
    for (size_t i = 0; i < n.inputs.size(); ++i)
      if (!int8(i) || rank(n.inputs[i]) != 4) return "needs 4-D int8 inputs";
    const int64_t axis = n.attr_int("axis", 1);
    if (axis != 1 && axis != -3) return "only channel concatenation";
    return "";
  }
  if (n.domain.empty() && (n.op_type == "QuantizeLinear" || n.op_type == "DequantizeLinear"))
    return "float <-> int8 conversion at the model boundary";
  return "op not supported by the NPU";
}

int64_t input_pad(const ir::Node& n) {
  if (is_etch(n, "QConv") || is_etch(n, "QAveragePool") || (n.domain.empty() && n.op_type == "MaxPool")) {
    int64_t p = 0;
    for (int64_t x : n.attr_ints("pads", {})) p = std::max(p, x);
    return p;
  }
  return 0;
}

std::optional<int32_t> output_zero_point(const ir::Graph& g, const ir::Node& n) {
  if (n.domain == "ai.etch" && n.has_attr("y_zero_point")) return attr_i32(n, "y_zero_point", 0);
  if (n.domain.empty() && n.op_type == "QuantizeLinear") {
    const Tensor* zp = constant(g, n, 2);
    if (zp && zp->numel() >= 1) return static_cast<int32_t>(zp->get_as_double(0));
    return 0;
  }
  if (is_etch(n, "QLut")) return std::nullopt;
  return std::nullopt;
}

ConvSpec lower_conv(const ir::Graph& g, const ir::Node& n, const npu::TensorDesc& in, const npu::TensorDesc& out) {
  ConvSpec s;
  s.name = n.name;
  s.in = in;
  s.out = out;
  const Tensor& w = *constant(g, n, 1);
  const std::vector<int64_t> wv = w.to_int64_vector();
  const bool gemm = n.op_type == "QGemm";
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
  const int32_t xzp = attr_i32(n, "x_zero_point", 0);
  const Tensor* bias = constant(g, n, 2);
  const std::vector<int64_t> bv = bias ? bias->to_int64_vector() : std::vector<int64_t>(M, 0);
  const int64_t kg = s.kg();
  s.bias.resize(M);
  for (int64_t m = 0; m < M; ++m) {
    int64_t sum = 0;
    for (int64_t k = 0; k < kg; ++k) sum += s.weights[m * kg + k];
    // acc = bias + sum (x - zx) w = (bias - zx sum w) + sum x w; padding holds zx.
    s.bias[m] = static_cast<int32_t>(static_cast<uint32_t>(bv[m]) - static_cast<uint32_t>(xzp * sum));
  }
  const auto mults = per_channel(n, "multipliers", M), shifts = per_channel(n, "shifts", M);
  for (int64_t m = 0; m < M; ++m) {
    ETCH_REQUIRE(mults[m] >= 0 && mults[m] <= INT32_MAX && shifts[m] >= -31 && shifts[m] <= 30, InvalidInput)
        << n.describe() << ": channel " << m << " multiplier/shift out of range";
    s.mult.push_back(static_cast<int32_t>(mults[m]));
    s.shift.push_back(static_cast<int8_t>(shifts[m]));
  }
  s.y_zp = attr_i32(n, "y_zero_point", 0);
  s.act_min = attr_i32(n, "act_min", -128);
  s.act_max = attr_i32(n, "act_max", 127);
  return s;
}

PoolSpec lower_pool(const ir::Graph&, const ir::Node& n, const npu::TensorDesc& in, const npu::TensorDesc& out) {
  PoolSpec s;
  s.name = n.name;
  s.avg = n.op_type == "QAveragePool";
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
  if (s.avg) {
    s.x_zp = attr_i32(n, "x_zero_point", 0);
    s.y_zp = attr_i32(n, "y_zero_point", 0);
    s.mult = attr_i32(n, "multiplier", 0);
    s.shift = attr_i32(n, "shift", 0);
    s.act_min = attr_i32(n, "act_min", -128);
    s.act_max = attr_i32(n, "act_max", 127);
  }
  return s;
}

AddSpec lower_add(const ir::Node& n, const npu::TensorDesc& a, const npu::TensorDesc& b, const npu::TensorDesc& out) {
  AddSpec s;
  s.name = n.name;
  s.a = a;
  s.b = b;
  s.out = out;
  s.a_zp = attr_i32(n, "a_zero_point", 0);
  s.b_zp = attr_i32(n, "b_zero_point", 0);
  s.y_zp = attr_i32(n, "y_zero_point", 0);
  s.left_shift = attr_i32(n, "left_shift", 20);
  s.a_mult = attr_i32(n, "a_multiplier", 0);
  s.a_shift = attr_i32(n, "a_shift", 0);
  s.b_mult = attr_i32(n, "b_multiplier", 0);
  s.b_shift = attr_i32(n, "b_shift", 0);
  s.y_mult = attr_i32(n, "y_multiplier", 0);
  s.y_shift = attr_i32(n, "y_shift", 0);
  s.act_min = attr_i32(n, "act_min", -128);
  s.act_max = attr_i32(n, "act_max", 127);
  return s;
}

LutSpec lower_lut(const ir::Graph& g, const ir::Node& n, const npu::TensorDesc& in, const npu::TensorDesc& out) {
  LutSpec s;
  s.name = n.name;
  s.in = in;
  s.out = out;
  const Tensor& t = *constant(g, n, 1);
  s.table.assign(t.data<int8_t>(), t.data<int8_t>() + 256);
  return s;
}

}  // namespace etch::compiler
