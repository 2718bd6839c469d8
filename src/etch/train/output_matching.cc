#include "etch/train/output_matching.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

#include "etch/core/progress.h"
#include "etch/data/rng.h"
#include "etch/runtime/interpreter.h"
#include "etch/runtime/sample_feed.h"
#include "etch/train/autodiff.h"
#include "etch/train/optimizer.h"

namespace etch::train {

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// The teacher is fed the student's input tensors, so both must take the same inputs.
void check_same_inputs(const ir::Graph& g, const ir::Graph& teacher) {
  bool same = g.inputs.size() == teacher.inputs.size();
  for (size_t i = 0; same && i < g.inputs.size(); ++i)
    same = g.value(g.inputs[i]).name == teacher.value(teacher.inputs[i]).name;
  ETCH_REQUIRE(same, InvalidInput) << "output matching feeds the teacher the student's inputs, but model '" << g.name
                                   << "' has " << g.inputs.size() << " input(s) and the teacher '" << teacher.name
                                   << "' has " << teacher.inputs.size() << " with other names";
}

void check_outputs_match(const std::vector<Tensor>& s, const std::vector<Tensor>& t, const ir::Graph& g) {
  ETCH_REQUIRE(s.size() == t.size(), InvalidInput)
      << "the student has " << s.size() << " outputs and the teacher " << t.size() << "; output matching pairs them";
  bool any_float = false;
  for (size_t k = 0; k < s.size(); ++k) {
    ETCH_REQUIRE(s[k].shape() == t[k].shape(), InvalidInput)
        << "output " << k << " ('" << g.value(g.outputs[k]).name << "') is " << shape_str(s[k].shape())
        << " in the student but " << shape_str(t[k].shape()) << " in the teacher";
    any_float = any_float || s[k].dtype() == DType::F32;
  }
  ETCH_REQUIRE(any_float, InvalidInput) << "model '" << g.name << "' has no float output to match";
}

// Squared error of each float output divided by that output's mean energy
// per sample over the training data (`scale`, times the `count` samples of the
// chunk), averaged over the outputs; the gradient w.r.t. s is scaled by
// `weight` (padding rows of a fixed batch, as `feed` pads, get 0). A fixed scale per output
// makes the loss over the data the mean of the outputs' pooled relative
// errors: what output_sqnr_db reports, so samples with large outputs count as
// much as they do there.
double match_loss(const runtime::SampleFeed& feed, const std::vector<Tensor>& s, const std::vector<Tensor>& t,
                  size_t count, const std::vector<double>& scale, double weight, std::vector<Tensor>& grads) {
  size_t k_float = 0;
  for (const Tensor& x : s) k_float += x.dtype() == DType::F32;
  double loss = 0;
  grads.assign(s.size(), Tensor());
  for (size_t k = 0; k < s.size(); ++k) {
    if (s[k].dtype() != DType::F32) continue;
    const int64_t n = t[k].numel(), used = feed.sample_elements(t[k], count);
    const float* sp = s[k].data<float>();
    const float* tp = t[k].data<float>();
    double err = 0;
    for (int64_t i = 0; i < used; ++i) {
      const double d = static_cast<double>(sp[i]) - tp[i];
      err += d * d;
    }
    const double norm = scale[k] * static_cast<double>(count);
    loss += err / norm / static_cast<double>(k_float);
    Tensor g(DType::F32, s[k].shape());
    float* gp = g.data<float>();
    const double f = 2.0 * weight / norm / static_cast<double>(k_float);
    for (int64_t i = 0; i < n; ++i) gp[i] = i < used ? static_cast<float>(f * (sp[i] - tp[i])) : 0.0f;
    grads[k] = std::move(g);
  }
  return loss;
}

// Per output: error and signal energy summed over every sample of d.
struct OutputEnergies {
  std::vector<double> err, signal;
  int64_t samples = 0;
};

OutputEnergies output_energies(const ir::Graph& g, const ir::Graph& teacher, const data::Dataset& d,
                               int64_t max_batch) {
  check_same_inputs(g, teacher);
  const runtime::SampleFeed feed(g, data::named_arrays(d), max_batch);
  // g == teacher (the teacher's own energies): one interpreter, one run.
  runtime::Interpreter si(g);
  std::optional<runtime::Interpreter> ti;
  if (&g != &teacher) ti.emplace(teacher);
  std::vector<int64_t> rows(static_cast<size_t>(feed.samples()));
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<int64_t>(i);
  OutputEnergies r;
  r.samples = feed.samples();
  const size_t chunk = static_cast<size_t>(feed.chunk());
  for (size_t b = 0; b < rows.size(); b += chunk) {
    const size_t e = std::min(rows.size(), b + chunk);
    const std::vector<Tensor> in = feed.inputs(rows, b, e);
    std::vector<Tensor> s = si.run(in), t = ti ? ti->run(in) : s;
    feed.drop_padding(s, e - b);
    feed.drop_padding(t, e - b);
    check_outputs_match(s, t, g);
    r.err.resize(s.size(), 0.0);
    r.signal.resize(s.size(), 0.0);
    for (size_t k = 0; k < s.size(); ++k) {
      if (s[k].dtype() != DType::F32) continue;
      const float* sp = s[k].data<float>();
      const float* tp = t[k].data<float>();
      for (int64_t i = 0; i < s[k].numel(); ++i) {
        const double dd = static_cast<double>(sp[i]) - tp[i];
        r.err[k] += dd * dd;
        r.signal[k] += static_cast<double>(tp[i]) * tp[i];
      }
    }
  }
  return r;
}

}  // namespace

ir::Graph deep_copy(const ir::Graph& g) {
  ir::Graph c = g;
  for (int v = 0; v < c.num_values(); ++v)
    if (c.value(v).data) c.value(v).data = c.value(v).data->clone();
  return c;
}

double output_sqnr_db(const ir::Graph& g, const ir::Graph& teacher, const data::Dataset& d, int64_t max_batch) {
  const OutputEnergies e = output_energies(g, teacher, d, max_batch);
  double worst = std::numeric_limits<double>::infinity();
  for (size_t k = 0; k < e.err.size(); ++k) {
    if (e.signal[k] == 0 && e.err[k] == 0) continue;  // not float, or both all zero
    const double db =
        e.err[k] == 0 ? std::numeric_limits<double>::infinity() : 10.0 * std::log10(e.signal[k] / e.err[k]);
    worst = std::min(worst, db);
  }
  return worst;
}

TrainResult fit_outputs(ir::Graph& g, const ir::Graph& teacher, const data::Dataset& train, const data::Dataset* eval,
                        const TrainConfig& cfg) {
  ETCH_REQUIRE(cfg.epochs >= 0, InvalidInput) << "epochs must be >= 0, got " << cfg.epochs;
  ETCH_REQUIRE(cfg.batch_size > 0, InvalidInput) << "batch size must be > 0, got " << cfg.batch_size;
  check_same_inputs(g, teacher);
  const runtime::SampleFeed feed(g, data::named_arrays(train), cfg.batch_size);
  const int64_t n = feed.samples();
  ETCH_REQUIRE(n > 0, InvalidInput) << "data set '" << train.name << "' has no samples";
  const int64_t batch = std::min(cfg.batch_size, n);
  int64_t steps_per_epoch = n / batch;
  if (cfg.max_steps_per_epoch > 0) steps_per_epoch = std::min(steps_per_epoch, cfg.max_steps_per_epoch);
  const int64_t total = steps_per_epoch * cfg.epochs;

  // Each output's mean energy per sample (the teacher's, on the training data):
  // the fixed scale of its term in the loss. An all-zero output falls back to 1.
  std::vector<double> scale;
  {
    const OutputEnergies e = output_energies(teacher, teacher, train, cfg.batch_size);
    for (double v : e.signal) scale.push_back(v > 0 ? v / static_cast<double>(e.samples) : 1.0);
  }
  Autodiff ad(g, cfg.frozen);
  Optimizer opt(cfg.optimizer);
  runtime::Interpreter ti(teacher);
  LrSchedule sched = cfg.schedule;
  sched.warmup_steps = static_cast<int64_t>(cfg.warmup_epochs * static_cast<double>(steps_per_epoch));
  const bool tty = cfg.progress && isatty(STDERR_FILENO);
  const size_t chunk = static_cast<size_t>(feed.chunk());
  TrainResult result;
  const auto t_all = Clock::now();
  int64_t step = 0;
  for (int epoch = 1; epoch <= cfg.epochs; ++epoch) {
    const std::vector<int64_t> order = data::shuffled_indices(n, cfg.seed + static_cast<uint64_t>(epoch - 1));
    const auto t0 = Clock::now();
    double loss_sum = 0;
    int64_t seen = 0;
    float lr = 0;
    for (int64_t b = 0; b < steps_per_epoch; ++b, ++step) {
      if (cfg.before_step) cfg.before_step(ad, step);
      lr = sched.at(cfg.optimizer.lr, step, total);
      const std::vector<int64_t> rows(order.begin() + b * batch, order.begin() + (b + 1) * batch);
      ad.zero_grad();
      double step_loss = 0;
      // A model with a fixed batch runs the step's rows chunk by chunk; the
      // chunks' gradients add up to the step's mean.
      for (size_t c = 0; c < rows.size(); c += chunk) {
        const size_t e = std::min(rows.size(), c + chunk);
        const std::vector<Tensor> in = feed.inputs(rows, c, e);
        std::vector<Tensor> s = ad.forward(in, false);
        const std::vector<Tensor> t = ti.run(in);
        check_outputs_match(s, t, g);
        const double w = static_cast<double>(e - c) / static_cast<double>(rows.size());
        std::vector<Tensor> grads;
        step_loss += w * match_loss(feed, s, t, e - c, scale, w, grads);
        ad.backward(grads);
      }
      ETCH_REQUIRE(std::isfinite(step_loss), InvalidInput)
          << "fine-tuning diverged: the output-matching loss became " << step_loss << " at epoch " << epoch << ", step "
          << b + 1 << " (try a lower --lr); the best checkpoint saved so far is kept";
      opt.step(ad.params(), lr);
      if (cfg.after_step) cfg.after_step(ad, step);
      Progress::notify("fine-tuning", step + 1, total);
      loss_sum += step_loss * static_cast<double>(rows.size());
      seen += static_cast<int64_t>(rows.size());
      if (tty && (b % 10 == 0 || b + 1 == steps_per_epoch)) {
        std::fprintf(stderr, "\r  epoch %d/%d [%4lld/%lld] loss %.5f %.1f samples/s   ", epoch, cfg.epochs,
                     static_cast<long long>(b + 1), static_cast<long long>(steps_per_epoch), loss_sum / seen,
                     seen / std::max(1e-9, since(t0)));
        std::fflush(stderr);
      }
    }
    if (tty) std::fprintf(stderr, "\r%*s\r", 78, "");
    EpochStats st;
    st.epoch = epoch;
    st.seconds = since(t0);
    st.train_loss = seen ? loss_sum / static_cast<double>(seen) : 0;
    st.train_acc = -1;
    st.images_per_sec = static_cast<double>(seen) / std::max(1e-9, st.seconds);
    st.lr_end = lr;
    st.eval_sqnr_db = output_sqnr_db(g, teacher, eval ? *eval : train, cfg.batch_size);
    result.epochs.push_back(st);
    if (cfg.on_epoch) cfg.on_epoch(st);
    if (!result.best_sqnr_db || *st.eval_sqnr_db > *result.best_sqnr_db) {
      result.best_sqnr_db = st.eval_sqnr_db;
      result.best_epoch = epoch;
      if (cfg.on_best) cfg.on_best(g, st);
    }
  }
  result.seconds = since(t_all);
  return result;
}

}  // namespace etch::train
