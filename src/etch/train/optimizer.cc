#include "etch/train/optimizer.h"

#include <cmath>
#include <numbers>

namespace etch::train {

Optimizer::Optimizer(OptimizerConfig cfg) : cfg_(std::move(cfg)) {
  ETCH_REQUIRE(cfg_.kind == "sgd" || cfg_.kind == "adam" || cfg_.kind == "adamw", InvalidInput)
      << "unknown optimizer '" << cfg_.kind << "' (expected sgd, adam or adamw)";
  ETCH_REQUIRE(cfg_.lr > 0, InvalidInput) << "learning rate must be positive, got " << cfg_.lr;
}

double Optimizer::step(std::vector<Param>& params, float lr) {
  if (m_.empty()) {
    for (auto& p : params) {
      m_.emplace_back(DType::F32, p.data.shape());
      v_.emplace_back(DType::F32, p.data.shape());
    }
  }
  ETCH_CHECK(m_.size() == params.size()) << "parameter list changed between steps";
  double sq = 0;
  for (auto& p : params) {
    const float* g = p.grad.data<float>();
    for (int64_t i = 0; i < p.grad.numel(); ++i) sq += static_cast<double>(g[i]) * g[i];
  }
  const double norm = std::sqrt(sq);
  float clip_scale = 1.0f;
  if (cfg_.clip_norm > 0 && norm > cfg_.clip_norm) clip_scale = static_cast<float>(cfg_.clip_norm / (norm + 1e-6));
  ++t_;
  const float bc1 = 1.0f - std::pow(cfg_.beta1, static_cast<float>(t_));
  const float bc2 = 1.0f - std::pow(cfg_.beta2, static_cast<float>(t_));
  for (size_t k = 0; k < params.size(); ++k) {
    Param& p = params[k];
    float* w = p.data.data<float>();
    const float* g = p.grad.data<float>();
    float* m = m_[k].data<float>();
    float* v = v_[k].data<float>();
    const bool decay = cfg_.weight_decay > 0 && (!cfg_.decay_matrices_only || p.data.rank() >= 2);
    const float wd = decay ? cfg_.weight_decay : 0.0f;
    const int64_t n = p.data.numel();
    if (cfg_.kind == "sgd") {
      for (int64_t i = 0; i < n; ++i) {
        float gi = g[i] * clip_scale + wd * w[i];
        if (cfg_.momentum > 0) {
          m[i] = (t_ == 1) ? gi : cfg_.momentum * m[i] + gi;
          gi = cfg_.nesterov ? gi + cfg_.momentum * m[i] : m[i];
        }
        w[i] -= lr * gi;
      }
    } else {
      const bool decoupled = cfg_.kind == "adamw";
      for (int64_t i = 0; i < n; ++i) {
        float gi = g[i] * clip_scale;
        if (decoupled)
          w[i] -= lr * wd * w[i];
        else
          gi += wd * w[i];
        m[i] = cfg_.beta1 * m[i] + (1 - cfg_.beta1) * gi;
        v[i] = cfg_.beta2 * v[i] + (1 - cfg_.beta2) * gi * gi;
        const float mhat = m[i] / bc1;
        const float denom = std::sqrt(v[i] / bc2) + cfg_.eps;
        w[i] -= lr * mhat / denom;
      }
    }
  }
  return norm;
}

float LrSchedule::at(float base_lr, int64_t step, int64_t total) const {
  if (warmup_steps > 0 && step < warmup_steps)
    return base_lr * static_cast<float>(step + 1) / static_cast<float>(warmup_steps);
  if (kind == "constant") return base_lr;
  if (kind == "step")
    return base_lr * std::pow(gamma, static_cast<float>((step - warmup_steps) / std::max<int64_t>(1, step_size)));
  ETCH_REQUIRE(kind == "cosine", InvalidInput)
      << "unknown learning-rate schedule '" << kind << "' (expected constant, step or cosine)";
  const int64_t span = std::max<int64_t>(1, total - warmup_steps);
  const double progress = std::min(1.0, static_cast<double>(step - warmup_steps) / static_cast<double>(span));
  return static_cast<float>(0.5 * base_lr * (1.0 + std::cos(std::numbers::pi * progress)));
}

}  // namespace etch::train
