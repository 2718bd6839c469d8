// Data sets addressed by one spec string used by every command:
//   fashion-mnist:train | fashion-mnist:test[:N] | fashion-mnist (= train) |
//   npz:path.npz (arrays "x" [N,C,H,W] or [N,H,W] and "y" [N]) | images:dir/ (one sub-folder per class)
// Images are float32 NCHW scaled to [0, 1]; labels int64.
// Treat a loaded Dataset's tensors as read-only: a whole Fashion-MNIST split
// shares its storage with a per-process cache (clone() before editing in place).
#pragma once
#include <string>
#include <vector>

#include "etch/core/tensor.h"

namespace etch::data {

struct Dataset {
  std::string name;  // the spec it was loaded from
  Tensor images;     // f32 [N, C, H, W] in [0, 1]
  Tensor labels;     // i64 [N]
  int64_t num_classes = 0;
  std::vector<std::string> class_names;
  int64_t size() const { return images.defined() ? images.dim(0) : 0; }
};

// Throws InvalidInput naming the spec/file when it does not exist or is malformed
// (e.g. labels out of range, mixed image sizes).
Dataset load_dataset(const std::string& spec);

// Rows [begin, end) of a data set as a batch (copies).
Tensor slice_images(const Dataset& d, int64_t begin, int64_t end);
Tensor slice_labels(const Dataset& d, int64_t begin, int64_t end);

}  // namespace etch::data
