// Optimizers over Autodiff parameters, with PyTorch's update formulas so that
// hyper-parameters carry over: SGD (momentum, dampening 0, Nesterov) and
// Adam/AdamW; L2 weight decay (SGD, Adam) or decoupled (AdamW); gradient
// clipping by global norm.
#pragma once
#include <string>
#include <vector>

#include "etch/train/autodiff.h"

namespace etch::train {

struct OptimizerConfig {
  std::string kind = "adamw";  // sgd | adam | adamw
  float lr = 1e-3f;
  float momentum = 0.9f;                            // sgd
  bool nesterov = false;                            // sgd
  float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;  // adam
  float weight_decay = 0.0f;
  float clip_norm = 0.0f;  // 0 = off
  // Weight decay applies to tensors of rank >= 2 only (not biases or BN), as is
  // the common recipe.
  bool decay_matrices_only = true;
};

class Optimizer {
 public:
  explicit Optimizer(OptimizerConfig cfg);
  // One update with learning rate lr (from the schedule). Returns the global
  // gradient norm before clipping.
  double step(std::vector<Param>& params, float lr);
  const OptimizerConfig& config() const { return cfg_; }

 private:
  OptimizerConfig cfg_;
  std::vector<Tensor> m_, v_;
  int64_t t_ = 0;
};

// Learning rate at `step` of `total` steps: warm-up linearly over warmup steps,
// then constant | step (×gamma every step_size) | cosine (to 0).
struct LrSchedule {
  std::string kind = "cosine";  // constant | step | cosine
  int64_t warmup_steps = 0;
  int64_t step_size = 1000;
  float gamma = 0.1f;
  float at(float base_lr, int64_t step, int64_t total) const;
};

}  // namespace etch::train
