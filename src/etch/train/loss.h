// Losses return the mean loss over the batch and the gradient w.r.t. the
// logits/predictions (already divided by the batch size).
#pragma once
#include "etch/core/tensor.h"

namespace etch::train {

struct LossResult {
  double loss = 0;
  Tensor grad;          // d loss / d input, same shape as the input
  int64_t correct = 0;  // top-1 hits (classification losses)
};

// logits [B, C], labels i64 [B]. Label smoothing eps spreads eps/C over classes.
LossResult softmax_cross_entropy(const Tensor& logits, const Tensor& labels, float label_smoothing = 0.0f);
// T² · KL(softmax(t/T) ‖ softmax(s/T)), mean over the batch; grad w.r.t. the student logits.
LossResult distillation_kl(const Tensor& student_logits, const Tensor& teacher_logits, float temperature);
// mean((a - b)^2) over all elements; grad w.r.t. a.
LossResult mse(const Tensor& a, const Tensor& b);

}  // namespace etch::train
