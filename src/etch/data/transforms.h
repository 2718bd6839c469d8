// Per-image transforms for training batches, on one CHW float image at a time.
// Order when combined (as in the usual torchvision recipe): random crop with
// zero padding, then horizontal flip, then normalisation.
#pragma once
#include <cstdint>
#include <vector>

namespace etch::data {

struct TransformOptions {
  // > 0: pad each side with this many zero pixels, then crop a window of the
  // original size at a random offset in [0, 2 * crop_padding] per axis.
  int64_t crop_padding = 0;
  bool horizontal_flip = false;  // mirror left-right with probability 1/2
  // (x - mean[c]) / std[c]; empty = none, one value = all channels.
  std::vector<float> mean, std;

  bool random() const { return crop_padding > 0 || horizontal_flip; }
  bool any() const { return random() || !mean.empty(); }
};

// Throws InvalidInput when the options do not fit images with `channels`
// channels (negative padding, wrong number of means/stds, std <= 0).
void validate_transforms(const TransformOptions& t, int64_t channels);

// dst = window of the zero-padded src whose top-left corner lies at (dy, dx)
// in padded coordinates, 0 <= dy, dx <= 2 * pad. pad 0 copies. src != dst.
void crop_padded(const float* src, float* dst, int64_t c, int64_t h, int64_t w, int64_t pad, int64_t dy, int64_t dx);
void hflip_image(float* img, int64_t c, int64_t h, int64_t w);  // in place
void normalize_image(float* img, int64_t c, int64_t hw, const std::vector<float>& mean, const std::vector<float>& std);

// Applies all transforms to one image (src -> dst, distinct buffers). Random
// choices come from SplitMix64(key) in a fixed order: crop dy, crop dx, flip.
void apply_transforms(const TransformOptions& t, const float* src, float* dst, int64_t c, int64_t h, int64_t w,
                      uint64_t key);

}  // namespace etch::data
