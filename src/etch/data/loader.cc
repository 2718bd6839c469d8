#include "etch/data/loader.h"

#include <cstring>
#include <numeric>

#include "etch/core/thread_pool.h"
#include "etch/data/rng.h"

namespace etch::data {

DataLoader::DataLoader(const Dataset& data, LoaderOptions options) : data_(data), options_(std::move(options)) {
  ETCH_REQUIRE(options_.batch_size >= 1, InvalidInput)
      << "data set " << data_.name << ": batch size must be >= 1, got " << options_.batch_size;
  ETCH_REQUIRE(data_.images.defined() && data_.images.rank() == 4 && data_.images.dtype() == DType::F32, InvalidInput)
      << "data set " << data_.name << ": batches need one f32 image input [N,C,H,W], got "
      << (data_.images.defined() ? shape_str(data_.images.shape()) : std::to_string(data_.inputs.size()) + " inputs");
  // Labels are optional (unlabelled data gives batches without labels).
  ETCH_CHECK(!data_.labels.defined() ||
             (data_.labels.dtype() == DType::I64 && data_.labels.rank() == 1 && data_.labels.dim(0) == data_.size()))
      << "data set labels must be i64 [N]";
  validate_transforms(options_.transforms, data_.images.dim(1));
  set_epoch(0);
}

void DataLoader::set_epoch(int64_t epoch) {
  epoch_ = epoch;
  if (options_.shuffle) {
    order_ = shuffled_indices(data_.size(), options_.seed + static_cast<uint64_t>(epoch));
  } else {
    order_.resize(static_cast<size_t>(data_.size()));
    std::iota(order_.begin(), order_.end(), int64_t{0});
  }
}

int64_t DataLoader::num_batches() const {
  const int64_t n = data_.size(), b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

Batch DataLoader::batch(int64_t b) const {
  ETCH_CHECK(b >= 0 && b < num_batches()) << "batch " << b << " of " << num_batches();
  const int64_t begin = b * options_.batch_size;
  const int64_t count = std::min(options_.batch_size, data_.size() - begin);
  const int64_t c = data_.images.dim(1), h = data_.images.dim(2), w = data_.images.dim(3);
  const int64_t item = c * h * w;

  Batch out;
  out.indices.assign(order_.begin() + begin, order_.begin() + begin + count);
  out.images = Tensor(DType::F32, {count, c, h, w});
  const bool labelled = data_.labels.defined();
  if (labelled) out.labels = Tensor(DType::I64, {count});
  const float* src = data_.images.data<float>();
  const int64_t* src_labels = labelled ? data_.labels.data<int64_t>() : nullptr;
  float* dst = out.images.data<float>();
  int64_t* dst_labels = labelled ? out.labels.data<int64_t>() : nullptr;
  const TransformOptions& t = options_.transforms;

  // Every sample is written independently, so the split into chunks cannot
  // change the result.
  auto fill = [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      const int64_t row = out.indices[static_cast<size_t>(i)];
      if (labelled) dst_labels[i] = src_labels[row];
      if (t.any()) {
        const uint64_t key = sample_key(options_.seed, static_cast<uint64_t>(epoch_), static_cast<uint64_t>(row));
        apply_transforms(t, src + row * item, dst + i * item, c, h, w, key);
      } else {
        std::memcpy(dst + i * item, src + row * item, static_cast<size_t>(item) * sizeof(float));
      }
    }
  };
  if (options_.parallel) {
    parallel_for(count, 16, fill);
  } else {
    fill(0, count);
  }
  return out;
}

Tensor pad_batch(const Tensor& images, int64_t batch) {
  Shape s = images.shape();
  const int64_t have = s[0];
  s[0] = batch;
  Tensor out(images.dtype(), s);
  const size_t row = images.nbytes() / static_cast<size_t>(have);
  std::memcpy(out.raw(), images.raw(), images.nbytes());
  for (int64_t r = have; r < batch; ++r) std::memcpy(out.raw() + row * r, images.raw() + row * (have - 1), row);
  return out;
}

}  // namespace etch::data
