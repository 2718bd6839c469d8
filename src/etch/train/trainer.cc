#include "etch/train/trainer.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>

#include "etch/core/progress.h"
#include "etch/runtime/interpreter.h"

namespace etch::train {

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int64_t argmax_row(const float* x, int64_t c) {
  int64_t a = 0;
  for (int64_t j = 1; j < c; ++j)
    if (x[j] > x[a]) a = j;
  return a;
}

void check_fits(const ir::Graph& g, const data::Dataset& d) {
  ETCH_REQUIRE(g.inputs.size() == 1 && g.outputs.size() == 1, InvalidInput)
      << "training needs a model with one input and one output, this one has " << g.inputs.size() << " and "
      << g.outputs.size();
  const ir::Value& in = g.value(g.inputs[0]);
  const Shape& s = d.images.shape();
  bool ok = in.has_shape && in.shape.size() == s.size();
  for (size_t i = 1; ok && i < s.size(); ++i) ok = in.shape[i] < 0 || in.shape[i] == s[i];
  ETCH_REQUIRE(ok, InvalidInput) << "data set '" << d.name << "' has images of shape " << shape_str(s)
                                 << " but the model input '" << in.name << "' expects " << shape_str(in.shape);
  const ir::Value& out = g.value(g.outputs[0]);
  if (out.has_shape && out.shape.size() == 2 && out.shape[1] > 0)
    ETCH_REQUIRE(out.shape[1] >= d.num_classes, InvalidInput)
        << "data set '" << d.name << "' has " << d.num_classes << " classes but the model outputs " << out.shape[1]
        << " values";
}
}  // namespace

double evaluate_accuracy(const ir::Graph& g, const data::Dataset& d, int64_t batch) {
  ETCH_REQUIRE(d.has_labels(), InvalidInput)
      << "data set '" << d.name
      << "' has no labels, so there is no accuracy to measure (give labelled data, or compare against the float "
         "model with etch validate)";
  check_fits(g, d);
  runtime::Interpreter interp(g);
  int64_t correct = 0;
  const auto labels = d.labels.to_int64_vector();
  for (int64_t b = 0; b < d.size(); b += batch) {
    const int64_t e = std::min(d.size(), b + batch);
    Tensor logits = interp.run({data::slice_images(d, b, e)})[0];
    const int64_t c = logits.dim(1);
    for (int64_t i = 0; i < e - b; ++i) correct += argmax_row(logits.data<float>() + i * c, c) == labels[b + i];
  }
  return d.size() ? static_cast<double>(correct) / static_cast<double>(d.size()) : 0.0;
}

TrainResult fit(ir::Graph& g, const data::Dataset& train, const data::Dataset* eval, const TrainConfig& cfg) {
  ETCH_REQUIRE(cfg.epochs >= 0, InvalidInput) << "epochs must be >= 0, got " << cfg.epochs;
  ETCH_REQUIRE(train.has_labels(), InvalidInput)
      << "data set '" << train.name << "' has no labels; training (and its accuracy) needs them";
  check_fits(g, train);
  ETCH_REQUIRE(train.size() >= cfg.batch_size, InvalidInput) << "data set '" << train.name << "' has " << train.size()
                                                             << " images, fewer than one batch of " << cfg.batch_size;
  Autodiff ad(g, cfg.frozen);
  Optimizer opt(cfg.optimizer);
  data::LoaderOptions lo;
  lo.batch_size = cfg.batch_size;
  lo.shuffle = true;
  lo.drop_last = true;
  lo.seed = cfg.seed;
  lo.transforms = cfg.augment;
  data::DataLoader loader(train, lo);
  int64_t steps_per_epoch = loader.num_batches();
  if (cfg.max_steps_per_epoch > 0) steps_per_epoch = std::min(steps_per_epoch, cfg.max_steps_per_epoch);
  const int64_t total = steps_per_epoch * cfg.epochs;
  LrSchedule sched = cfg.schedule;
  sched.warmup_steps = static_cast<int64_t>(cfg.warmup_epochs * static_cast<double>(steps_per_epoch));
  const bool tty = cfg.progress && isatty(STDERR_FILENO);
  TrainResult result;
  const auto t_all = Clock::now();
  int64_t step = 0;
  for (int epoch = 1; epoch <= cfg.epochs; ++epoch) {
    loader.set_epoch(epoch - 1);
    const auto t0 = Clock::now();
    double loss_sum = 0;
    int64_t correct = 0, seen = 0;
    float lr = 0;
    for (int64_t b = 0; b < steps_per_epoch; ++b, ++step) {
      data::Batch batch = loader.batch(b);
      if (cfg.before_step) cfg.before_step(ad, step);
      lr = sched.at(cfg.optimizer.lr, step, total);
      Tensor logits = ad.forward({batch.images}, true, cfg.seed * 7919 + static_cast<uint64_t>(step))[0];
      LossResult lr_res =
          cfg.loss ? cfg.loss(logits, batch) : softmax_cross_entropy(logits, batch.labels, cfg.label_smoothing);
      if (cfg.loss) {  // cross-entropy counts hits itself; a custom loss may not
        lr_res.correct = 0;
        const int64_t c = logits.dim(1);
        const auto y = batch.labels.to_int64_vector();
        for (int64_t i = 0; i < logits.dim(0); ++i)
          lr_res.correct += argmax_row(logits.data<float>() + i * c, c) == y[i];
      }
      ETCH_REQUIRE(std::isfinite(lr_res.loss), InvalidInput)
          << "training diverged: the loss became " << lr_res.loss << " at epoch " << epoch << ", step " << b + 1
          << " (try a lower --lr); the best checkpoint saved so far is kept";
      ad.zero_grad();
      ad.backward({lr_res.grad});
      opt.step(ad.params(), lr);
      if (cfg.after_step) cfg.after_step(ad, step);
      Progress::notify("training", step + 1, total);
      loss_sum += lr_res.loss * static_cast<double>(logits.dim(0));
      correct += lr_res.correct;
      seen += logits.dim(0);
      if (tty && (b % 10 == 0 || b + 1 == steps_per_epoch)) {
        std::fprintf(stderr, "\r  epoch %d/%d [%4lld/%lld] loss %.4f acc %.2f%% %.0f img/s   ", epoch, cfg.epochs,
                     static_cast<long long>(b + 1), static_cast<long long>(steps_per_epoch), loss_sum / seen,
                     100.0 * correct / seen, seen / std::max(1e-9, since(t0)));
        std::fflush(stderr);
      }
    }
    if (tty) std::fprintf(stderr, "\r%*s\r", 78, "");
    EpochStats st;
    st.epoch = epoch;
    st.seconds = since(t0);
    st.train_loss = seen ? loss_sum / seen : 0;
    st.train_acc = seen ? static_cast<double>(correct) / seen : 0;
    st.images_per_sec = seen / std::max(1e-9, st.seconds);
    st.lr_end = lr;
    if (eval) st.eval_acc = evaluate_accuracy(g, *eval, cfg.eval_batch);
    result.epochs.push_back(st);
    if (cfg.on_epoch) cfg.on_epoch(st);
    const double score = eval ? st.eval_acc : st.train_acc;
    if (score > result.best_eval_acc) {
      result.best_eval_acc = score;
      result.best_epoch = epoch;
      if (cfg.on_best) cfg.on_best(g, st);
    }
  }
  result.seconds = since(t_all);
  return result;
}

}  // namespace etch::train
