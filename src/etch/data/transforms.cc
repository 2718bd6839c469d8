#include "etch/data/transforms.h"

#include <algorithm>
#include <cstring>

#include "etch/core/error.h"
#include "etch/data/rng.h"

namespace etch::data {

void validate_transforms(const TransformOptions& t, int64_t channels) {
  ETCH_REQUIRE(t.crop_padding >= 0, InvalidInput) << "crop padding must be >= 0, got " << t.crop_padding;
  ETCH_REQUIRE(t.mean.size() == t.std.size(), InvalidInput) << "normalisation needs as many std values as mean values ("
                                                            << t.mean.size() << " means, " << t.std.size() << " stds)";
  ETCH_REQUIRE(t.mean.empty() || t.mean.size() == 1 || static_cast<int64_t>(t.mean.size()) == channels, InvalidInput)
      << "normalisation has " << t.mean.size() << " mean/std values; images have " << channels
      << " channels (give 1 or " << channels << ")";
  for (size_t i = 0; i < t.std.size(); ++i)
    ETCH_REQUIRE(t.std[i] > 0, InvalidInput) << "normalisation std[" << i << "] must be > 0, got " << t.std[i];
}

void crop_padded(const float* src, float* dst, int64_t c, int64_t h, int64_t w, int64_t pad, int64_t dy, int64_t dx) {
  // Output pixel (y, x) reads source pixel (y + dy - pad, x + dx - pad) or 0.
  const int64_t oy = dy - pad, ox = dx - pad;
  const int64_t x0 = std::clamp<int64_t>(-ox, 0, w), x1 = std::clamp<int64_t>(w - ox, 0, w);
  for (int64_t ch = 0; ch < c; ++ch) {
    const float* s = src + ch * h * w;
    float* d = dst + ch * h * w;
    for (int64_t y = 0; y < h; ++y) {
      float* row = d + y * w;
      const int64_t sy = y + oy;
      if (sy < 0 || sy >= h || x0 >= x1) {
        std::fill(row, row + w, 0.0f);
        continue;
      }
      std::fill(row, row + x0, 0.0f);
      std::memcpy(row + x0, s + sy * w + x0 + ox, static_cast<size_t>(x1 - x0) * sizeof(float));
      std::fill(row + x1, row + w, 0.0f);
    }
  }
}

void hflip_image(float* img, int64_t c, int64_t h, int64_t w) {
  for (int64_t r = 0; r < c * h; ++r) std::reverse(img + r * w, img + (r + 1) * w);
}

void normalize_image(float* img, int64_t c, int64_t hw, const std::vector<float>& mean, const std::vector<float>& std) {
  if (mean.empty()) return;
  for (int64_t ch = 0; ch < c; ++ch) {
    const size_t k = mean.size() == 1 ? 0 : static_cast<size_t>(ch);
    const float m = mean[k], sd = std[k];
    float* p = img + ch * hw;
    // Divide (not multiply by 1/std) to match torchvision's Normalize bit for bit.
    for (int64_t i = 0; i < hw; ++i) p[i] = (p[i] - m) / sd;
  }
}

void apply_transforms(const TransformOptions& t, const float* src, float* dst, int64_t c, int64_t h, int64_t w,
                      uint64_t key) {
  SplitMix64 gen(key);
  if (t.crop_padding > 0) {
    const auto span = static_cast<uint64_t>(2 * t.crop_padding + 1);
    const auto dy = static_cast<int64_t>(bounded_random(gen, span));
    const auto dx = static_cast<int64_t>(bounded_random(gen, span));
    crop_padded(src, dst, c, h, w, t.crop_padding, dy, dx);
  } else {
    std::memcpy(dst, src, static_cast<size_t>(c * h * w) * sizeof(float));
  }
  if (t.horizontal_flip && (gen() >> 63) != 0) hflip_image(dst, c, h, w);
  normalize_image(dst, c, h * w, t.mean, t.std);
}

}  // namespace etch::data
