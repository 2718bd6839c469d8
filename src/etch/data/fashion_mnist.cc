#include "etch/data/fashion_mnist.h"

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>

#include "etch/core/thread_pool.h"
#include "etch/data/idx.h"

namespace etch::data {
namespace {

// One split decoded to etch's layout; shared read-only by every load.
struct Split {
  Tensor images;  // f32 [N, 1, H, W] in [0, 1]
  Tensor labels;  // i64 [N], not yet range-checked
};

// Prefers the .gz file as shipped; falls back to an uncompressed copy.
std::string find_file(const std::string& dir, const std::string& stem) {
  namespace fs = std::filesystem;
  for (const std::string& name : {stem + ".gz", stem}) {
    const fs::path p = fs::path(dir) / name;
    if (fs::exists(p)) return p.string();
  }
  ETCH_FAIL(InvalidInput) << "Fashion-MNIST file " << (fs::path(dir) / (stem + ".gz")).string()
                          << " not found (set ETCH_FASHION_MNIST_DIR to the folder holding "
                             "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz "
                             "and t10k-labels-idx1-ubyte.gz)";
}

std::shared_ptr<const Split> read_split(const std::string& dir, const std::string& split) {
  const std::string prefix = split == "train" ? "train" : "t10k";
  const std::string images_path = find_file(dir, prefix + "-images-idx3-ubyte");
  const std::string labels_path = find_file(dir, prefix + "-labels-idx1-ubyte");
  // Images are converted straight from the inflated bytes: no u8 tensor copy.
  const std::string image_bytes = read_maybe_gzip(images_path);
  const IdxHeader ih = parse_idx_header(image_bytes, images_path);
  const Tensor labels = read_idx(labels_path);
  ETCH_REQUIRE(ih.type_code == 0x08 && ih.shape.size() == 3, InvalidInput)
      << images_path << ": expected u8 images of rank 3 (IDX magic 0x00000803), got type 0x" << std::hex << ih.type_code
      << std::dec << " " << shape_str(ih.shape);
  ETCH_REQUIRE(labels.dtype() == DType::U8 && labels.rank() == 1, InvalidInput)
      << labels_path << ": expected u8 labels of rank 1 (IDX magic 0x00000801), got " << dtype_name(labels.dtype())
      << " " << shape_str(labels.shape());
  ETCH_REQUIRE(ih.shape[0] == labels.dim(0), InvalidInput) << images_path << " holds " << ih.shape[0] << " images but "
                                                           << labels_path << " holds " << labels.dim(0) << " labels";

  auto out = std::make_shared<Split>();
  const int64_t n = ih.shape[0], hw = ih.shape[1] * ih.shape[2];
  out->images = Tensor::uninitialized(DType::F32, {n, 1, ih.shape[1], ih.shape[2]});  // every element written below
  const auto* src = reinterpret_cast<const uint8_t*>(image_bytes.data()) + ih.data_offset;
  float* dst = out->images.data<float>();
  // x / 255 (a division, as torchvision's ToTensor) so pixels match PyTorch's.
  parallel_for(n * hw, 1 << 16, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) dst[i] = static_cast<float>(src[i]) / 255.0f;
  });
  out->labels = Tensor(DType::I64, {n});
  for (int64_t i = 0; i < n; ++i) out->labels.data<int64_t>()[i] = labels.data<uint8_t>()[i];
  return out;
}

std::shared_ptr<const Split> cached_split(const std::string& dir, const std::string& split) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const Split>> cache;
  const std::string key = dir + '\n' + split;
  {
    std::lock_guard<std::mutex> lk(mu);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  // Read outside the lock: a concurrent first load may read twice, harmlessly.
  auto raw = read_split(dir, split);
  std::lock_guard<std::mutex> lk(mu);
  return cache.emplace(key, raw).first->second;
}

}  // namespace

std::string fashion_mnist_dir() {
  const char* env = std::getenv("ETCH_FASHION_MNIST_DIR");
  return env && *env ? std::string(env) : std::string("/usr/share/datasets/fashion-mnist");
}

const std::vector<std::string>& fashion_mnist_class_names() {
  static const std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                 "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

Dataset load_fashion_mnist(const std::string& split, int64_t limit, const std::string& spec) {
  ETCH_CHECK(split == "train" || split == "test") << "split " << split;
  const std::shared_ptr<const Split> cached = cached_split(fashion_mnist_dir(), split);
  const int64_t total = cached->images.dim(0);
  ETCH_REQUIRE(limit <= total, InvalidInput) << "data set '" << spec << "' asks for " << limit
                                             << " images but the Fashion-MNIST " << split << " split has " << total;
  const int64_t n = limit >= 0 ? limit : total;

  Dataset d;
  d.name = spec;
  d.class_names = fashion_mnist_class_names();
  d.num_classes = static_cast<int64_t>(d.class_names.size());
  const int64_t* labels = cached->labels.data<int64_t>();
  for (int64_t i = 0; i < n; ++i)
    ETCH_REQUIRE(labels[i] < d.num_classes, InvalidInput)
        << "data set '" << spec << "': label " << labels[i] << " at index " << i << " is out of range [0, "
        << d.num_classes << ")";
  if (n == total) {
    // Share the cached tensors: a fresh 188 MB copy of the training images
    // costs more (page faults) than everything else in a load.
    d.images = cached->images;
    d.labels = cached->labels;
  } else {
    Dataset whole;
    whole.images = cached->images;
    whole.labels = cached->labels;
    d.images = slice_images(whole, 0, n);
    d.labels = slice_labels(whole, 0, n);
  }
  return d;
}

}  // namespace etch::data
