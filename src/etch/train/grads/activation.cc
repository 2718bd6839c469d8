// Gradients of element-wise activations and unary math ops. Each is written in
// terms of the forward input x and/or output y, whichever is cheaper and exact.
// At kinks (Relu at 0, Clip at its bounds) the gradient is 0, as in PyTorch's
// relu/hardtanh (ReLU6 exports to Clip).
#include <cmath>
#include <limits>

#include "etch/ir/op_registry.h"
#include "etch/train/grads/grad_util.h"

namespace etch::train::grads {
namespace {

void relu_grad(GradContext& c) {
  unary_grad(c, [](float x, float, float g) { return x > 0.0f ? g : 0.0f; });
}

void leaky_relu_grad(GradContext& c) {
  const float alpha = c.node.attr_float("alpha", 0.01f);
  unary_grad(c, [alpha](float x, float, float g) { return x > 0.0f ? g : alpha * g; });
}

// Clip: bounds from inputs 1/2 (opset >= 11, either may be omitted) or from the
// min/max attributes (opset 6).
void clip_grad(GradContext& c) {
  float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
  if (ir::current_opset() < 11) {
    lo = c.node.attr_float("min", lo);
    hi = c.node.attr_float("max", hi);
  }
  if (c.node.has_input(1) && c.inputs[1] && c.inputs[1]->numel() > 0) lo = c.inputs[1]->to_float_vector()[0];
  if (c.node.has_input(2) && c.inputs[2] && c.inputs[2]->numel() > 0) hi = c.inputs[2]->to_float_vector()[0];
  unary_grad(c, [lo, hi](float x, float, float g) { return (x > lo && x < hi) ? g : 0.0f; });
}

void sigmoid_grad(GradContext& c) {
  unary_grad(c, [](float, float y, float g) { return g * y * (1.0f - y); });
}

void hard_sigmoid_grad(GradContext& c) {
  const float alpha = c.node.attr_float("alpha", 0.2f), beta = c.node.attr_float("beta", 0.5f);
  unary_grad(c, [alpha, beta](float x, float, float g) {
    const float t = alpha * x + beta;
    return (t > 0.0f && t < 1.0f) ? g * alpha : 0.0f;
  });
}

// y = x * clamp(x/6 + 1/2, 0, 1); PyTorch's hardswish_backward.
void hard_swish_grad(GradContext& c) {
  unary_grad(c, [](float x, float, float g) {
    if (x < -3.0f) return 0.0f;
    if (x <= 3.0f) return g * (x / 3.0f + 0.5f);
    return g;
  });
}

void tanh_grad(GradContext& c) {
  unary_grad(c, [](float, float y, float g) { return g * (1.0f - y * y); });
}

void elu_grad(GradContext& c) {
  const float alpha = c.node.attr_float("alpha", 1.0f);
  unary_grad(c, [alpha](float x, float y, float g) { return x > 0.0f ? g : g * (y + alpha); });
}

void softplus_grad(GradContext& c) {
  unary_grad(c, [](float x, float, float g) { return g / (1.0f + std::exp(-x)); });
}

void softsign_grad(GradContext& c) {
  unary_grad(c, [](float x, float, float g) {
    const float d = 1.0f + std::fabs(x);
    return g / (d * d);
  });
}

void exp_grad(GradContext& c) {
  unary_grad(c, [](float, float y, float g) { return g * y; });
}

void log_grad(GradContext& c) {
  unary_grad(c, [](float x, float, float g) { return g / x; });
}

void sqrt_grad(GradContext& c) {
  unary_grad(c, [](float, float y, float g) { return g * 0.5f / y; });
}

void neg_grad(GradContext& c) {
  unary_grad(c, [](float, float, float g) { return -g; });
}

void abs_grad(GradContext& c) {
  unary_grad(c, [](float x, float, float g) { return x > 0.0f ? g : (x < 0.0f ? -g : 0.0f); });
}

void reciprocal_grad(GradContext& c) {
  unary_grad(c, [](float, float y, float g) { return -g * y * y; });
}

// d erf(x)/dx = 2/sqrt(pi) exp(-x^2): GELU exported as x*0.5*(1+erf(x/sqrt 2)).
void erf_grad(GradContext& c) {
  unary_grad(c, [](float x, float, float g) { return g * 1.1283791670955126f * std::exp(-x * x); });
}

void identity_grad(GradContext& c) {
  if (c.wants(0)) c.input_grads[0] = c.gout(0);
}

}  // namespace

ETCH_REGISTER_GRAD("Relu", {relu_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("LeakyRelu", {leaky_relu_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("Clip", {clip_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("Sigmoid", {sigmoid_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("HardSigmoid", {hard_sigmoid_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("HardSwish", {hard_swish_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("Tanh", {tanh_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("Elu", {elu_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("Softplus", {softplus_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("Softsign", {softsign_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("Exp", {exp_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("Log", {log_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("Sqrt", {sqrt_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("Neg", {neg_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("Abs", {abs_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("Reciprocal", {reciprocal_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("Erf", {erf_grad, nullptr, {0}});
ETCH_REGISTER_GRAD("Identity", {identity_grad, nullptr, {0}});

}  // namespace etch::train::grads
