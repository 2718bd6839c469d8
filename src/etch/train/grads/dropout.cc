// Dropout. Training forward keeps element i when u(seed, i) >= ratio, where u is
// a counter-based hash (splitmix64 of seed and i): the mask depends only on
// the seed the trainer passes and the element index, never on threads or call
// order. Kept elements are scaled by 1 / (1 - ratio). Autodiff's `training`
// flag decides whether the mask is applied (the training_mode input is for
// inference engines). After an inference forward, backward is the identity.
#include <cstdint>
#include <vector>

#include "etch/ir/op_registry.h"
#include "etch/train/grads/grad_util.h"

namespace etch::train::grads {
namespace {

struct DropoutSaved {
  std::vector<uint8_t> keep;
  float scale = 1.0f;
};

uint64_t splitmix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

float dropout_ratio(const ForwardTrainContext& c) {
  if (c.node.has_input(1) && c.inputs[1] && c.inputs[1]->numel() > 0)
    return static_cast<float>(c.inputs[1]->get_as_double(0));
  return ir::current_opset() < 12 ? c.node.attr_float("ratio", 0.5f) : 0.5f;
}

void dropout_forward_train(ForwardTrainContext& c) {
  const Tensor& x = *c.inputs[0];
  const float ratio = dropout_ratio(c);
  ETCH_REQUIRE(ratio >= 0.0f && ratio < 1.0f, InvalidInput)
      << c.node.describe() << ": dropout ratio must be in [0, 1), got " << ratio;
  const int64_t n = x.numel();
  DropoutSaved s;
  s.scale = 1.0f / (1.0f - ratio);
  s.keep.resize(n);
  const uint64_t key = splitmix64(c.seed);
  const float* xp = x.data<float>();
  float* y = c.outputs[0].data<float>();
  for (int64_t i = 0; i < n; ++i) {
    const double u = static_cast<double>(splitmix64(key ^ static_cast<uint64_t>(i)) >> 11) * 0x1.0p-53;
    s.keep[i] = u >= ratio ? 1 : 0;
    y[i] = s.keep[i] ? xp[i] * s.scale : 0.0f;
  }
  if (c.outputs.size() > 1 && c.outputs[1].defined()) {
    bool* m = c.outputs[1].data<bool>();
    for (int64_t i = 0; i < n; ++i) m[i] = s.keep[i] != 0;
  }
  c.saved = std::move(s);
}

void dropout_grad(GradContext& c) {
  if (!c.wants(0)) return;
  if (!c.saved.has_value()) {
    c.input_grads[0] = c.gout();
    return;
  }
  const auto& s = std::any_cast<const DropoutSaved&>(c.saved);
  Tensor dx(DType::F32, c.in(0).shape());
  const float* g = c.gout().data<float>();
  float* o = dx.data<float>();
  for (int64_t i = 0; i < dx.numel(); ++i) o[i] = s.keep[i] ? g[i] * s.scale : 0.0f;
  c.input_grads[0] = std::move(dx);
}

}  // namespace

ETCH_REGISTER_GRAD("Dropout", {dropout_grad, dropout_forward_train, {0}});

}  // namespace etch::train::grads
