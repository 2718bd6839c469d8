// Conv and ConvTranspose schemas, and ai.etch.FusedConv: a float Conv with a
// Relu or Clip applied to its output (ONNX Runtime's com.microsoft.FusedConv),
// optionally a summand Z (input 3, the conv output's shape) added before the
// activation, as in a residual Conv→Add→Relu, and optionally an unpadded 2-D
// max pool after it (pool_kernel, pool_strides; not with Z),
// which `etch run` uses so that the activation and the pooling work on the
// conv's output while it is still in cache.
#include <string>

#include "etch/ir/op_registry.h"
#include "etch/ir/ops/nn_window.h"
#include "etch/ir/ops/qint_ops.h"

namespace etch::ir {
namespace {

std::string dims_str(int64_t d) { return d < 0 ? std::string("?") : std::to_string(d); }

// Kernel spatial dims from the weight, cross-checked with kernel_shape.
std::vector<int64_t> kernel_dims(InferContext& c, const Shape& w) {
  std::vector<int64_t> k(w.begin() + 2, w.end());
  if (c.node().has_attr("kernel_shape")) {
    std::vector<int64_t> ks = c.node().attr_ints("kernel_shape");
    if (ks.size() != k.size())
      c.fail("attribute 'kernel_shape' has " + std::to_string(ks.size()) + " values, weight has " +
             std::to_string(k.size()) + " spatial dims");
    for (size_t i = 0; i < k.size(); ++i) {
      if (k[i] >= 0 && ks[i] != k[i])
        c.fail("attribute 'kernel_shape' " + shape_str(ks) + " does not match weight shape " + shape_str(w));
      k[i] = ks[i];
    }
  }
  for (int64_t d : k)
    if (d < 0) c.fail("weight spatial dims must be known, weight shape is " + shape_str(w));
  return k;
}

void check_ranks(InferContext& c, const Shape& x, const Shape& w) {
  if (x.size() < 3) c.fail("input must have rank >= 3 (N, C, spatial...), got shape " + shape_str(x));
  if (w.size() != x.size())
    c.fail("weight rank " + std::to_string(w.size()) + " differs from input rank " + std::to_string(x.size()));
}

void check_bias(InferContext& c, int64_t channels) {
  if (!c.has_input(2)) return;
  const Shape& b = c.shape(2);
  if (b.size() != 1 || (channels >= 0 && b[0] >= 0 && b[0] != channels))
    c.fail("bias shape " + shape_str(b) + " should be [" + dims_str(channels) + "]");
}

Shape conv_output_shape(InferContext& c) {
  const Shape& x = c.shape(0);
  const Shape& w = c.shape(1);
  check_ranks(c, x, w);
  const int64_t group = c.node().attr_int("group", 1);
  if (group < 1) c.fail("attribute 'group' must be >= 1, got " + std::to_string(group));
  if (x[1] >= 0 && w[1] >= 0 && x[1] != w[1] * group)
    c.fail("input has " + std::to_string(x[1]) + " channels, weight expects " + std::to_string(w[1]) +
           "×group=" + std::to_string(w[1] * group));
  if (w[0] >= 0 && w[0] % group != 0)
    c.fail("weight has " + std::to_string(w[0]) + " output channels, not divisible by group " + std::to_string(group));
  check_bias(c, w[0]);
  if (c.dtype(1) != c.dtype(0)) c.fail("weight dtype differs from input dtype");
  std::vector<int64_t> in(x.begin() + 2, x.end());
  Window win = resolve_window(c.node(), in, kernel_dims(c, w), false);
  Shape out{x[0], w[0]};
  out.insert(out.end(), win.out.begin(), win.out.end());
  return out;
}

void infer_conv(InferContext& c) { c.set_output(0, c.dtype(0), conv_output_shape(c)); }

void infer_fused_conv(InferContext& c) {
  const std::string act = c.node().attr_string("activation", "");
  if (act != "Relu" && act != "Clip")
    c.fail("attribute 'activation' must be \"Relu\" or \"Clip\", got \"" + act + "\"");
  const auto params = c.node().attr_floats("activation_params");
  if (act == "Clip" && (params.size() != 2 || !(params[0] <= params[1])))
    c.fail("attribute 'activation_params' must be [min, max] with min <= max for Clip");
  if (c.dtype(0) != DType::F32) c.fail("input must be float32, got " + std::string(dtype_name(c.dtype(0))));
  Shape out = conv_output_shape(c);
  if (c.node().has_attr("pool_kernel")) {
    const auto k = c.node().attr_ints("pool_kernel"), st = c.node().attr_ints("pool_strides");
    if (out.size() != 4 || k.size() != 2 || st.size() != 2)
      c.fail("a fused pool needs a 2-D conv and 2-value 'pool_kernel' and 'pool_strides'");
    for (int i = 0; i < 2; ++i) {
      if (k[i] < 1 || st[i] < 1) c.fail("'pool_kernel' and 'pool_strides' must be >= 1");
      if (out[2 + i] >= 0 && out[2 + i] < k[i]) c.fail("pool window larger than the conv output " + shape_str(out));
      if (out[2 + i] >= 0) out[2 + i] = (out[2 + i] - k[i]) / st[i] + 1;
    }
  }
  if (c.has_input(3)) {
    if (c.node().has_attr("pool_kernel")) c.fail("a fused pool cannot follow a summand input Z");
    if (c.dtype(3) != DType::F32) c.fail("summand input Z must be float32");
    const Shape& z = c.shape(3);
    bool same = !c.input(3).has_shape || z.size() == out.size();
    for (size_t i = 0; same && c.input(3).has_shape && i < z.size(); ++i)
      same = z[i] < 0 || out[i] < 0 || z[i] == out[i];
    if (!same)
      c.fail("summand input Z has shape " + shape_str(c.shape(3)) + ", expected the conv output's " + shape_str(out));
  }
  c.set_output(0, c.dtype(0), out);
}

void infer_conv_transpose(InferContext& c) {
  const Shape& x = c.shape(0);
  const Shape& w = c.shape(1);
  check_ranks(c, x, w);
  const int64_t group = c.node().attr_int("group", 1);
  if (group < 1) c.fail("attribute 'group' must be >= 1, got " + std::to_string(group));
  // Weight is [C, M/group, k...].
  if (x[1] >= 0 && w[0] >= 0 && x[1] != w[0])
    c.fail("input has " + std::to_string(x[1]) + " channels, weight expects " + std::to_string(w[0]));
  if (w[0] >= 0 && w[0] % group != 0)
    c.fail("weight has " + std::to_string(w[0]) + " input channels, not divisible by group " + std::to_string(group));
  const int64_t m = w[1] < 0 ? -1 : w[1] * group;
  check_bias(c, m);
  std::vector<int64_t> in(x.begin() + 2, x.end());
  Window win = resolve_transpose_window(c.node(), in, kernel_dims(c, w));
  Shape out{x[0], m};
  out.insert(out.end(), win.out.begin(), win.out.end());
  c.set_output(0, c.dtype(0), out);
}

}  // namespace

ETCH_REGISTER_OP({"Conv", "", 2, 3, 1, 1, infer_conv, OpTrait::kWeighted | OpTrait::kFusesActivation,
                  MacForm{MacForm::kConv, 0, 1}});
ETCH_REGISTER_OP({"ConvTranspose", "", 2, 3, 1, 1, infer_conv_transpose, {}, MacForm{MacForm::kConvTranspose, 0, 1}});
ETCH_REGISTER_OP({"FusedConv", kEtchDomain, 2, 4, 1, 1, infer_fused_conv, {}, MacForm{MacForm::kConv, 0, 1}});

}  // namespace etch::ir
