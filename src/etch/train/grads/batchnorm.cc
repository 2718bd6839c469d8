// BatchNormalization. Training forward: normalise with the batch mean and the
// biased batch variance, and update the running statistics in place as ONNX
// says (running = running * momentum + batch * (1 - momentum)) but with the
// unbiased variance for running_var, as PyTorch does, so that models trained
// here and in PyTorch agree. Backward handles both modes: after a training
// forward the batch statistics depend on x; after an inference forward (the
// runtime kernel) mean and var are constants.
#include <algorithm>
#include <cmath>
#include <vector>

#include "etch/core/thread_pool.h"
#include "etch/train/grads/grad_util.h"

namespace etch::train::grads {
namespace {

struct BnSaved {
  std::vector<float> mean, invstd;  // per channel, batch statistics
};

// x viewed as [N, C, S].
struct BnDims {
  int64_t N = 1, C = 1, S = 1;
};
BnDims dims(const Shape& s) {
  BnDims d;
  d.N = s[0];
  d.C = s.size() > 1 ? s[1] : 1;
  for (size_t i = 2; i < s.size(); ++i) d.S *= s[i];
  return d;
}

// Row reductions in eight float lanes, flushed to double every kBlock
// elements: the lanes vectorise (a single double accumulator is a serial
// chain of adds), the flush keeps float's rounding error to short runs, and
// the order of operations is fixed, so results do not depend on threads.
constexpr int kLanes = 8;
constexpr int64_t kBlock = 512;

// Adds the sums over s of f(s) and of h(s), each evaluated in float, to
// total_f and total_h (two at once: one pass over memory).
template <typename F, typename H>
void lane_sums(int64_t n, F&& f, H&& h, double& total_f, double& total_h) {
  int64_t s = 0;
  while (s + kLanes <= n) {
    float af[kLanes] = {}, ah[kLanes] = {};
    const int64_t end = std::min(n, s + kBlock) - kLanes;
    for (; s <= end; s += kLanes)
      for (int j = 0; j < kLanes; ++j) {
        af[j] += f(s + j);
        ah[j] += h(s + j);
      }
    for (int j = 0; j < kLanes; ++j) {
      total_f += af[j];
      total_h += ah[j];
    }
  }
  for (; s < n; ++s) {
    total_f += f(s);
    total_h += h(s);
  }
}

// The sum over s of f(s), f evaluated in float.
template <typename F>
double lane_sum(int64_t n, F&& f) {
  double total = 0, unused = 0;
  lane_sums(
      n, f, [](int64_t) { return 0.0f; }, total, unused);
  return total;
}

void bn_forward_train(ForwardTrainContext& c) {
  const Tensor& x = *c.inputs[0];
  const BnDims d = dims(x.shape());
  const float eps = c.node.attr_float("epsilon", 1e-5f);
  const float momentum = c.node.attr_float("momentum", 0.9f);
  const float* xp = x.data<float>();
  const float* scale = c.inputs[1]->data<float>();
  const float* bias = c.inputs[2]->data<float>();
  float* y = c.outputs[0].data<float>();
  BnSaved saved;
  saved.mean.resize(d.C);
  saved.invstd.resize(d.C);
  std::vector<float> var(d.C);
  const int64_t count = d.N * d.S;
  parallel_for(d.C, 1, [&](int64_t c0, int64_t c1) {
    for (int64_t ch = c0; ch < c1; ++ch) {
      double sum = 0, sq = 0;
      for (int64_t n = 0; n < d.N; ++n) {
        const float* row = xp + (n * d.C + ch) * d.S;
        sum += lane_sum(d.S, [row](int64_t s) { return row[s]; });
      }
      const double mean = count > 0 ? sum / static_cast<double>(count) : 0.0;
      const float meanf = static_cast<float>(mean);
      for (int64_t n = 0; n < d.N; ++n) {
        const float* row = xp + (n * d.C + ch) * d.S;
        sq += lane_sum(d.S, [row, meanf](int64_t s) { return (row[s] - meanf) * (row[s] - meanf); });
      }
      const double v = count > 0 ? sq / static_cast<double>(count) : 0.0;
      const float invstd = static_cast<float>(1.0 / std::sqrt(v + eps));
      saved.mean[ch] = static_cast<float>(mean);
      saved.invstd[ch] = invstd;
      var[ch] = static_cast<float>(count > 1 ? sq / static_cast<double>(count - 1) : v);
      const float a = scale[ch] * invstd, b = bias[ch] - static_cast<float>(mean) * a;
      for (int64_t n = 0; n < d.N; ++n) {
        const float* row = xp + (n * d.C + ch) * d.S;
        float* out = y + (n * d.C + ch) * d.S;
        for (int64_t s = 0; s < d.S; ++s) out[s] = row[s] * a + b;
      }
    }
  });
  // Running statistics (inputs 3 and 4) updated in place; optional outputs
  // 1 and 2 receive the updated values (opset 14 running_mean/running_var,
  // opset 9 mean/var), 3 and 4 the batch statistics (opset 9 saved_*).
  // Outputs arrive uninitialised, so each one present is written in full.
  for (int k = 0; k < 2; ++k) {
    Tensor* run = c.mutable_inputs.size() > size_t(3 + k) ? c.mutable_inputs[3 + k] : nullptr;
    const bool has_run = run && run->defined() && run->numel() == d.C;
    if (has_run) {
      float* r = run->data<float>();
      for (int64_t ch = 0; ch < d.C; ++ch) {
        const float batch = k == 0 ? saved.mean[ch] : var[ch];
        r[ch] = r[ch] * momentum + batch * (1.0f - momentum);
      }
    }
    if (c.outputs.size() <= size_t(1 + k) || !c.outputs[1 + k].defined()) continue;
    Tensor& o = c.outputs[1 + k];
    float* op = o.data<float>();
    if (has_run && o.numel() == d.C)
      std::copy(run->data<float>(), run->data<float>() + d.C, op);
    else
      std::fill(op, op + o.numel(), 0.0f);
  }
  for (int k = 0; k < 2; ++k) {
    if (c.outputs.size() <= size_t(3 + k) || !c.outputs[3 + k].defined()) continue;
    float* o = c.outputs[3 + k].data<float>();
    if (c.outputs[3 + k].numel() != d.C) {
      std::fill(o, o + c.outputs[3 + k].numel(), 0.0f);
      continue;
    }
    for (int64_t ch = 0; ch < d.C; ++ch)
      o[ch] = k == 0 ? saved.mean[ch] : 1.0f / (saved.invstd[ch] * saved.invstd[ch]) - eps;
  }
  c.saved = std::move(saved);
}

void bn_grad(GradContext& c) {
  const Tensor& x = c.in(0);
  const BnDims d = dims(x.shape());
  const bool training = c.saved.has_value();
  std::vector<float> mean(d.C), invstd(d.C);
  if (training) {
    const auto& s = std::any_cast<const BnSaved&>(c.saved);
    mean = s.mean;
    invstd = s.invstd;
  } else {
    const float eps = c.node.attr_float("epsilon", 1e-5f);
    const float* m = c.in(3).data<float>();
    const float* v = c.in(4).data<float>();
    for (int64_t ch = 0; ch < d.C; ++ch) {
      mean[ch] = m[ch];
      invstd[ch] = 1.0f / std::sqrt(v[ch] + eps);
    }
  }
  const float* xp = x.data<float>();
  const float* dy = c.gout().data<float>();
  const float* scale = c.in(1).data<float>();
  // Every element of these is written below.
  Tensor dx, dscale = Tensor::uninitialized(DType::F32, {d.C}), dbias = Tensor::uninitialized(DType::F32, {d.C});
  if (c.wants(0)) dx = Tensor::uninitialized(DType::F32, x.shape());
  float* dxp = c.wants(0) ? dx.data<float>() : nullptr;
  float* dsp = dscale.data<float>();
  float* dbp = dbias.data<float>();
  const double count = static_cast<double>(d.N * d.S);
  parallel_for(d.C, 1, [&](int64_t c0, int64_t c1) {
    for (int64_t ch = c0; ch < c1; ++ch) {
      const float mu = mean[ch], is = invstd[ch];
      double sg = 0, sgx = 0;  // sum dy, sum dy * xhat
      for (int64_t n = 0; n < d.N; ++n) {
        const float* row = xp + (n * d.C + ch) * d.S;
        const float* g = dy + (n * d.C + ch) * d.S;
        lane_sums(
            d.S, [g](int64_t s) { return g[s]; }, [g, row, mu](int64_t s) { return g[s] * (row[s] - mu); }, sg, sgx);
      }
      sgx *= is;
      dbp[ch] = static_cast<float>(sg);
      dsp[ch] = static_cast<float>(sgx);
      if (!dxp) continue;
      const float k = scale[ch] * is;
      // Training: dx = k * (dy - mean(dy) - xhat * mean(dy * xhat)).
      const float mg = training && count > 0 ? static_cast<float>(sg / count) : 0.0f;
      const float mgx = training && count > 0 ? static_cast<float>(sgx / count) : 0.0f;
      for (int64_t n = 0; n < d.N; ++n) {
        const float* row = xp + (n * d.C + ch) * d.S;
        const float* g = dy + (n * d.C + ch) * d.S;
        float* o = dxp + (n * d.C + ch) * d.S;
        for (int64_t s = 0; s < d.S; ++s) o[s] = k * (g[s] - mg - (row[s] - mu) * is * mgx);
      }
    }
  });
  if (c.wants(0)) c.input_grads[0] = std::move(dx);
  if (c.wants(1)) c.input_grads[1] = std::move(dscale);
  if (c.wants(2)) c.input_grads[2] = std::move(dbias);
}

}  // namespace

ETCH_REGISTER_GRAD("BatchNormalization", {bn_grad, bn_forward_train, {0, 1, 2}, {1, 2}});

}  // namespace etch::train::grads
