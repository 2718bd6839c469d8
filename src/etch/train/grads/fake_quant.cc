// Straight-through estimator for ai.etch.FakeQuantize (quant/fake_quant_op.h):
// rounding is treated as the identity, so dx = dy wherever the quantized value
// lay inside [quant_min, quant_max] and 0 where it was clamped (Bengio et al.
// 2013; PyTorch's fake_quantize backward). Scale and zero point are set by the
// observers, not trained.
#include <cmath>

#include "etch/train/grads/grad_util.h"

namespace etch::train::grads {
namespace {

void fake_quantize_grad(GradContext& c) {
  if (!c.wants(0)) return;
  const Tensor& x = c.in(0);
  const std::vector<float> s = c.in(1).to_float_vector(), z = c.in(2).to_float_vector();
  const float lo = static_cast<float>(c.node.attr_int("quant_min", -128));
  const float hi = static_cast<float>(c.node.attr_int("quant_max", 127));
  const int64_t axis = c.node.attr_int("axis", -1);
  int64_t channels = 1, inner = x.numel();
  if (axis >= 0 && s.size() > 1) {
    channels = x.dim(static_cast<int>(axis));
    inner = 1;
    for (int d = static_cast<int>(axis) + 1; d < x.rank(); ++d) inner *= x.dim(d);
  }
  Tensor dx(DType::F32, x.shape());
  const float* xp = x.data<float>();
  const float* gp = c.gout(0).data<float>();
  float* o = dx.data<float>();
  for (int64_t i = 0; i < x.numel(); ++i) {
    const int64_t ch = (i / inner) % channels;
    const float q = std::nearbyint(xp[i] / s[ch]) + z[ch];
    o[i] = (q >= lo && q <= hi) ? gp[i] : 0.0f;
  }
  c.input_grads[0] = std::move(dx);
}

}  // namespace

// QAT: a weight reaches its layer through FakeQuantize, so its input is one.
ETCH_REGISTER_GRAD("FakeQuantize", {fake_quantize_grad, nullptr, {0}, {0}});

}  // namespace etch::train::grads
