// Fine-tuning without labels: the graph learns to reproduce a teacher's
// outputs (normally the float model it came from, i.e. self-distillation after
// pruning) on any data the teacher runs on. Any number of inputs and outputs;
// inputs are fed by runtime::SampleFeed (named arrays, zero-filled state,
// models with a fixed batch run chunk by chunk with the gradients of a step's
// chunks accumulated), so detectors, decoders and recurrent models fine-tune
// the same way a classifier does. The student runs in inference mode
// (BatchNorm on its running statistics, no Dropout), as the teacher does: the
// two then differ only by their weights, and a model with a fixed batch of 1
// never normalises by one sample's statistics.
//
// The loss: the mean over the float outputs k of ||s_k - t_k||^2 / E_k, E_k
// the teacher's mean energy of output k per training sample. Over the data it
// is the mean of the outputs' relative error energies, so outputs on different
// scales weigh the same, and samples with large outputs count as much as they
// do in the SQNR.
#pragma once
#include "etch/data/dataset.h"
#include "etch/ir/graph.h"
#include "etch/train/trainer.h"

namespace etch::train {

// A copy of g whose constants have their own storage (Tensor copies share it):
// the teacher keeps its weights while the student's are pruned and trained.
ir::Graph deep_copy(const ir::Graph& g);

// Trains g in place towards teacher's outputs with cfg (epochs, optimizer,
// schedule, seed, batch_size, max_steps_per_epoch, hooks; cfg.loss and
// cfg.augment are not used). EpochStats::train_loss is the mean relative error
// energy; eval_sqnr_db (and TrainResult::best_sqnr_db) output_sqnr_db on
// `eval`, or on the training samples when there is none. on_best is called
// when that SQNR improves. Throws InvalidInput when the two graphs' outputs
// differ in number or shape, when no output is float, or when the loss
// becomes NaN/Inf.
TrainResult fit_outputs(ir::Graph& g, const ir::Graph& teacher, const data::Dataset& train, const data::Dataset* eval,
                        const TrainConfig& cfg);

// SQNR in dB of g's outputs against teacher's on every sample of d, per float
// output 10·log10(Σ t² / Σ (s − t)²) over all samples, and of those the worst
// (+inf when every output is equal).
double output_sqnr_db(const ir::Graph& g, const ir::Graph& teacher, const data::Dataset& d, int64_t max_batch = 64);

}  // namespace etch::train
