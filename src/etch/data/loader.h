// Batches over a Dataset: optional seeded shuffling (reshuffled every epoch
// with seed + epoch), optional seeded augmentation, drop_last. Results depend
// only on (data, options, epoch, batch index): never on thread count or on the
// order in which batches are requested.
#pragma once
#include <cstdint>
#include <vector>

#include "etch/data/dataset.h"
#include "etch/data/transforms.h"

namespace etch::data {

struct LoaderOptions {
  int64_t batch_size = 64;
  bool shuffle = false;
  bool drop_last = false;  // skip a last batch smaller than batch_size
  uint64_t seed = 0;
  TransformOptions transforms;
  bool parallel = true;  // fill batches with etch::parallel_for
};

struct Batch {
  Tensor images;                 // f32 [B, C, H, W]
  Tensor labels;                 // i64 [B]; undefined for unlabelled data
  std::vector<int64_t> indices;  // rows of the data set, in batch order
};

class DataLoader {
 public:
  // Keeps a reference to `data`, which must outlive the loader. Throws
  // InvalidInput for batch_size < 1 or transforms that do not fit the images.
  DataLoader(const Dataset& data, LoaderOptions options);

  // Selects the epoch: the order becomes shuffled_indices(N, seed + epoch)
  // when shuffling, and augmentation draws change with the epoch.
  void set_epoch(int64_t epoch);
  int64_t epoch() const { return epoch_; }

  int64_t num_batches() const;
  Batch batch(int64_t b) const;  // 0 <= b < num_batches()
  const std::vector<int64_t>& order() const { return order_; }
  const LoaderOptions& options() const { return options_; }

 private:
  const Dataset& data_;
  LoaderOptions options_;
  int64_t epoch_ = 0;
  std::vector<int64_t> order_;
};

// A short final batch filled up to `batch` rows by repeating its last image,
// for models whose batch dimension is fixed.
Tensor pad_batch(const Tensor& images, int64_t batch);

}  // namespace etch::data
