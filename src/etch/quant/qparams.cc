#include "etch/quant/qparams.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "etch/core/error.h"
#include "etch/runtime/requantize.h"

namespace etch::quant {

QuantParams activation_params(Range r, std::string_view name) {
  ETCH_REQUIRE(std::isfinite(r.min) && std::isfinite(r.max), InvalidInput)
      << "activation '" << name << "': range [" << r.min << ", " << r.max << "] is not finite";
  ETCH_REQUIRE(r.min <= r.max, InvalidInput)
      << "activation '" << name << "': range min " << r.min << " exceeds max " << r.max;
  constexpr int32_t kQMin = -128, kQMax = 127;
  double lo = std::min(0.0, static_cast<double>(r.min));
  double hi = std::max(0.0, static_cast<double>(r.max));
  float scale = static_cast<float>((hi - lo) / (kQMax - kQMin));
  QuantParams q;
  if (!std::isnormal(scale)) {
    q.scales = {1.0f};
    q.zero_points = {0};
    return q;
  }
  double zp = runtime::round_half_away_from_zero(kQMin - lo / static_cast<double>(scale));
  q.scales = {scale};
  q.zero_points = {static_cast<int32_t>(std::clamp<double>(zp, kQMin, kQMax))};
  return q;
}

QuantParams weight_params(const Tensor& w, std::string_view name, int bits, bool per_channel) {
  ETCH_REQUIRE(bits == 8 || bits == 4, Unsupported)
      << "weight '" << name << "': " << bits << "-bit weights are not supported (expected 8 or 4)";
  ETCH_REQUIRE(w.dtype() == DType::F32, InvalidInput)
      << "weight '" << name << "': expected an F32 tensor, got " << dtype_name(w.dtype());
  ETCH_REQUIRE(!per_channel || w.rank() >= 1, InvalidInput)
      << "weight '" << name << "': per-channel quantization needs rank >= 1, got a scalar";
  const float qmax = bits == 8 ? 127.0f : 7.0f;
  const float* d = w.data<float>();
  const int64_t n = w.numel();
  const int64_t channels = per_channel ? w.dim(0) : 1;
  const int64_t per = channels > 0 ? n / channels : 0;
  QuantParams q;
  q.axis = per_channel ? 0 : -1;
  for (int64_t c = 0; c < channels; ++c) {
    float amax = 0.0f;
    for (int64_t i = c * per; i < (c + 1) * per; ++i) {
      ETCH_REQUIRE(std::isfinite(d[i]), InvalidInput)
          << "weight '" << name << "': non-finite value " << d[i] << " at element " << i
          << "; weights must be finite to be quantized";
      amax = std::max(amax, std::fabs(d[i]));
    }
    float s = amax / qmax;
    q.scales.push_back(std::isnormal(s) ? s : 1.0f);
  }
  q.zero_points.assign(q.scales.size(), 0);
  return q;
}

Tensor int32_bias(const std::vector<double>& bias, float x_scale, const QuantParams& w, QuantParams* params) {
  const int64_t m = static_cast<int64_t>(bias.size());
  QuantParams bp;
  bp.axis = w.per_channel() ? 0 : -1;
  Tensor bq(DType::I32, {m});
  for (int64_t c = 0; c < m; ++c) {
    const float sb = x_scale * w.scales[w.per_channel() ? c : 0];
    if (bp.per_channel() || c == 0) bp.scales.push_back(sb);
    const double r = runtime::round_half_away_from_zero(bias[c] / static_cast<double>(sb));
    bq.data<int32_t>()[c] = runtime::saturate_cast<int32_t>(r);
  }
  bp.zero_points.assign(bp.scales.size(), 0);
  if (params) *params = bp;
  return bq;
}

}  // namespace etch::quant
