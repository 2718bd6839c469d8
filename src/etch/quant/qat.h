// Quantization-aware training. For the first `freeze_bn_steps` steps the
// BatchNorms stay live (batch statistics, running statistics updated) behind
// fake-quantized weights; then they are folded into their Conv/Gemm and frozen,
// and the prepared float graph (fully connected layers canonical) gets ai.etch.FakeQuantize nodes on exactly the
// tensors PTQ would quantize (ptq_plan.h): per-channel (or per-tensor) symmetric weights whose scales follow the
// weights before every step, and activations whose ranges start from calibration and then follow an EMA of each batch's
// min/max (PyTorch's MovingAverageMinMaxObserver, constant 0.01). Training runs through train::fit with
// straight-through gradients when the data has labels; without labels it matches the float model's outputs
// (train::fit_outputs: self-distillation, for detectors and other models without classes); the result goes through the
// same QDQ writer as PTQ, so lower_qdq turns it into the same integer IR.
#pragma once
#include <functional>

#include "etch/data/dataset.h"
#include "etch/quant/ptq.h"
#include "etch/train/trainer.h"

namespace etch::quant {

struct QatOptions {
  int epochs = 2;
  int64_t max_steps_per_epoch = 0;  // 0: whole epochs
  int64_t batch_size = 0;           // 0: 128 with labels, 8 when matching the float model's outputs
  float lr = 1e-4f;                 // AdamW, cosine schedule, no weight decay
  float ema = 0.01f;                // activation range averaging constant
  // Steps (at the constant learning rate `lr`, before the `epochs`) during
  // which BatchNorm is trained unfolded; 0 folds and freezes it from the start.
  int64_t freeze_bn_steps = 0;
  uint64_t seed = 1;
  bool progress = true;
  const data::Dataset* eval = nullptr;  // evaluated (with fake quantization) after each epoch
  std::function<void(const train::EpochStats&)> on_epoch;
};

// PtqOptions supply calibration (initial activation ranges), per_channel,
// weight bits, bits_per_layer, keep_float and int4 storage; the same input
// checks as quantize_ptq apply. Returns the QDQ graph.
ir::Graph quantize_qat(const ir::Graph& float_graph, const data::Dataset& train_set, const PtqOptions& popts,
                       const QatOptions& qopts);

}  // namespace etch::quant
