#include "etch/quant/fake_quant_op.h"

#include <cmath>

#include "etch/ir/op_registry.h"
#include "etch/ir/ops/qint_ops.h"
#include "etch/runtime/kernel_registry.h"
#include "etch/runtime/requantize.h"

namespace etch::quant {
namespace {

void infer_fake_quantize(ir::InferContext& c) {
  for (size_t i = 0; i < 3; ++i)
    if (c.dtype(i) != DType::F32) c.fail("inputs must be float32");
  if (c.node().attr_int("quant_min", -128) >= c.node().attr_int("quant_max", 127))
    c.fail("quant_min must be below quant_max");
  c.set_output(0, DType::F32, c.shape(0), c.input(0).has_shape);
}

void fake_quantize(runtime::KernelContext& c) {
  const Tensor& x = c.input(0);
  const std::vector<float> s = c.input(1).to_float_vector(), z = c.input(2).to_float_vector();
  const float lo = static_cast<float>(c.node().attr_int("quant_min", -128));
  const float hi = static_cast<float>(c.node().attr_int("quant_max", 127));
  const int64_t axis = c.node().attr_int("axis", -1);
  int64_t channels = 1, inner = x.numel();
  if (axis >= 0 && s.size() > 1) {
    channels = x.dim(static_cast<int>(axis));
    inner = 1;
    for (int d = static_cast<int>(axis) + 1; d < x.rank(); ++d) inner *= x.dim(d);
  }
  if (static_cast<int64_t>(s.size()) != channels || z.size() != s.size())
    c.fail("scale/zero_point size does not match the axis");
  const float* xp = x.data<float>();
  float* y = c.output(0).data<float>();
  for (int64_t i = 0; i < x.numel(); ++i) {
    const int64_t ch = (i / inner) % channels;
    const float q = static_cast<float>(runtime::round_half_to_even(xp[i] / s[ch])) + z[ch];
    y[i] = (std::fmin(std::fmax(q, lo), hi) - z[ch]) * s[ch];
  }
}

}  // namespace

ETCH_REGISTER_OP({kFakeQuantize, ir::kEtchDomain, 3, 3, 1, 1, infer_fake_quantize});

bool is_fake_quantize(const ir::Node& n) { return n.domain == ir::kEtchDomain && n.op_type == kFakeQuantize; }
ETCH_REGISTER_KERNEL(kFakeQuantize, ir::kEtchDomain, DType::F32, fake_quantize);

}  // namespace etch::quant
