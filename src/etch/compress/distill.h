// Knowledge distillation (Hinton et al., 2015): the student learns from the
// teacher's softened outputs as well as from the labels,
//   loss = alpha · T² · KL(softmax(t/T) ‖ softmax(s/T)) + (1 − alpha) · CE(s, y),
// with the teacher run in inference mode on exactly the (augmented) batch the
// student sees. Training itself is train::fit with this loss.
//
// Without random augmentation the teacher's logits for a training image are
// the same every epoch, so they are computed once (the first time the image
// appears in a batch) and reused: the teacher, usually far more expensive than
// the student, then costs one inference pass over the data instead of one per
// epoch. With random augmentation the teacher runs on every augmented batch.
// Cached logits equal per-batch ones to float rounding (a row first met in a
// small batch can differ in the last bits), and cached runs are deterministic.
#pragma once
#include <string>

#include "etch/data/dataset.h"
#include "etch/ir/graph.h"
#include "etch/train/trainer.h"

namespace etch::compress {

struct DistillOptions {
  float temperature = 4.0f;
  float alpha = 0.5f;  // measured best of 0.5/0.7/0.9 at T 2, 4, 6 (docs/pruning.md)
  // Reuse the teacher's logits across epochs when cfg.augment is not random
  // (ignored otherwise). false: run the teacher on every batch.
  bool cache_teacher_logits = true;
  std::string teacher_name = "teacher", student_name = "student";  // for error messages
};

// Throws InvalidInput for T <= 0, alpha outside [0, 1], or a teacher and
// student whose outputs differ in size (checked on one sample of `train`).
void check_distill(const ir::Graph& teacher, const ir::Graph& student, const data::Dataset& train,
                   const DistillOptions& o);

// The combined loss for one batch given both models' logits.
train::LossResult distill_loss(const Tensor& student_logits, const Tensor& teacher_logits, const Tensor& labels,
                               const DistillOptions& o);

// Trains `student` in place with cfg (epochs, optimizer, seed, ...).
train::TrainResult distill(ir::Graph& student, const ir::Graph& teacher, const data::Dataset& train,
                           const data::Dataset* eval, const DistillOptions& o, train::TrainConfig cfg);

}  // namespace etch::compress
