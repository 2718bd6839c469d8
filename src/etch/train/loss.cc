#include "etch/train/loss.h"

#include <cmath>
#include <vector>

namespace etch::train {

namespace {
// Stable log-softmax of one row of logits scaled by 1/T.
void log_softmax_row(const float* x, int64_t c, float inv_t, std::vector<double>& out) {
  double mx = -INFINITY;
  for (int64_t j = 0; j < c; ++j) mx = std::max(mx, static_cast<double>(x[j]) * inv_t);
  double s = 0;
  for (int64_t j = 0; j < c; ++j) s += std::exp(x[j] * inv_t - mx);
  const double lse = mx + std::log(s);
  for (int64_t j = 0; j < c; ++j) out[j] = x[j] * inv_t - lse;
}
}  // namespace

LossResult softmax_cross_entropy(const Tensor& logits, const Tensor& labels, float eps) {
  ETCH_REQUIRE(logits.rank() == 2, InvalidInput)
      << "cross-entropy expects logits [batch, classes], got " << shape_str(logits.shape());
  const int64_t b = logits.dim(0), c = logits.dim(1);
  ETCH_REQUIRE(labels.numel() == b, InvalidInput) << "got " << labels.numel() << " labels for a batch of " << b;
  const std::vector<int64_t> y = labels.to_int64_vector();
  LossResult r;
  r.grad = Tensor(DType::F32, logits.shape());
  const float* x = logits.data<float>();
  float* g = r.grad.data<float>();
  std::vector<double> lsm(c);
  for (int64_t i = 0; i < b; ++i) {
    ETCH_REQUIRE(y[i] >= 0 && y[i] < c, InvalidInput)
        << "label " << y[i] << " at batch index " << i << " is out of range for a model with " << c << " outputs";
    log_softmax_row(x + i * c, c, 1.0f, lsm);
    int64_t arg = 0;
    for (int64_t j = 1; j < c; ++j)
      if (x[i * c + j] > x[i * c + arg]) arg = j;
    r.correct += arg == y[i];
    for (int64_t j = 0; j < c; ++j) {
      const double target = (j == y[i] ? 1.0 - eps : 0.0) + eps / static_cast<double>(c);
      r.loss -= target * lsm[j];
      g[i * c + j] = static_cast<float>((std::exp(lsm[j]) - target) / static_cast<double>(b));
    }
  }
  r.loss /= static_cast<double>(b);
  return r;
}

LossResult distillation_kl(const Tensor& s, const Tensor& t, float temperature) {
  ETCH_REQUIRE(s.shape() == t.shape(), InvalidInput)
      << "teacher outputs " << shape_str(t.shape()) << " and student outputs " << shape_str(s.shape()) << " differ";
  const int64_t b = s.dim(0), c = s.dim(1);
  LossResult r;
  r.grad = Tensor(DType::F32, s.shape());
  const float inv_t = 1.0f / temperature;
  std::vector<double> ls(c), lt(c);
  const double t2 = static_cast<double>(temperature) * temperature;
  for (int64_t i = 0; i < b; ++i) {
    log_softmax_row(s.data<float>() + i * c, c, inv_t, ls);
    log_softmax_row(t.data<float>() + i * c, c, inv_t, lt);
    for (int64_t j = 0; j < c; ++j) {
      const double pt = std::exp(lt[j]);
      r.loss += t2 * pt * (lt[j] - ls[j]);
      // d/ds_j of T² KL = T² · (p_s - p_t) / T
      r.grad.data<float>()[i * c + j] = static_cast<float>(t2 * (std::exp(ls[j]) - pt) * inv_t / b);
    }
  }
  r.loss /= static_cast<double>(b);
  return r;
}

LossResult mse(const Tensor& a, const Tensor& b) {
  ETCH_REQUIRE(a.shape() == b.shape(), InvalidInput)
      << "MSE of " << shape_str(a.shape()) << " and " << shape_str(b.shape());
  LossResult r;
  r.grad = Tensor(DType::F32, a.shape());
  const int64_t n = a.numel();
  for (int64_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(a.data<float>()[i]) - b.data<float>()[i];
    r.loss += d * d;
    r.grad.data<float>()[i] = static_cast<float>(2.0 * d / n);
  }
  r.loss /= static_cast<double>(n);
  return r;
}

}  // namespace etch::train
