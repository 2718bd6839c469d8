// Properties of the real Fashion-MNIST files shipped under
// /usr/share/datasets/fashion-mnist (reference numbers from Python's gzip module).
#include "etch/data/fashion_mnist.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <cstdlib>

#include "data/temp_dir.h"

namespace etch::data {
namespace {

using testing::TempDir;

std::vector<int64_t> histogram(const Dataset& d) {
  std::vector<int64_t> h(static_cast<size_t>(d.num_classes), 0);
  for (int64_t v : d.labels.to_int64_vector()) ++h.at(static_cast<size_t>(v));
  return h;
}

TEST(FashionMnist, TestSplitCountsShapeAndBalancedLabels) {
  Dataset d = load_dataset("fashion-mnist:test");
  EXPECT_EQ(d.name, "fashion-mnist:test");
  EXPECT_EQ(d.size(), 10000);
  EXPECT_EQ(d.images.dtype(), DType::F32);
  EXPECT_EQ(d.images.shape(), (Shape{10000, 1, 28, 28}));
  EXPECT_EQ(d.labels.dtype(), DType::I64);
  EXPECT_EQ(d.num_classes, 10);
  EXPECT_EQ(histogram(d), std::vector<int64_t>(10, 1000));
  const std::vector<int64_t> first = {9, 2, 1, 1, 6, 1, 4, 6, 5, 7};
  EXPECT_EQ(std::vector<int64_t>(d.labels.data<int64_t>(), d.labels.data<int64_t>() + 10), first);
  EXPECT_EQ(d.class_names.front(), "T-shirt/top");
  EXPECT_EQ(d.class_names.back(), "Ankle boot");
}

TEST(FashionMnist, TestPixelsAreBytesOver255) {
  Dataset d = load_dataset("fashion-mnist:test");
  const float* x = d.images.data<float>();
  // Sum of all raw bytes of t10k-images is 573469082; of image 0, 33456.
  double total = 0, first = 0;
  for (int64_t i = 0; i < d.images.numel(); ++i) {
    ASSERT_GE(x[i], 0.0f);
    ASSERT_LE(x[i], 1.0f);
    const double byte = std::round(x[i] * 255.0);
    ASSERT_EQ(static_cast<float>(byte) / 255.0f, x[i]);
    total += byte;
    if (i < 784) first += byte;
  }
  EXPECT_EQ(total, 573469082.0);
  EXPECT_EQ(first, 33456.0);
  EXPECT_EQ(x[14 * 28 + 12], 98.0f / 255.0f);  // row 14 of image 0: ..., 0, 98, 136, ...
}

TEST(FashionMnist, TrainSplitIsDefaultAndBalanced) {
  Dataset d = load_dataset("fashion-mnist");
  EXPECT_EQ(d.size(), 60000);
  EXPECT_EQ(d.images.shape(), (Shape{60000, 1, 28, 28}));
  EXPECT_EQ(histogram(d), std::vector<int64_t>(10, 6000));
  const std::vector<int64_t> first = {9, 0, 0, 3, 0, 2, 7, 2, 5, 5};
  EXPECT_EQ(std::vector<int64_t>(d.labels.data<int64_t>(), d.labels.data<int64_t>() + 10), first);
  EXPECT_EQ(load_dataset("fashion-mnist:train").size(), 60000);
}

TEST(FashionMnist, FirstNIsPrefixAndWholeSplitsAreCached) {
  Dataset full = load_dataset("fashion-mnist:test");
  Dataset part = load_dataset("fashion-mnist:test:1000");
  EXPECT_EQ(part.size(), 1000);
  EXPECT_EQ(part.name, "fashion-mnist:test:1000");
  EXPECT_TRUE(part.images.equals(slice_images(full, 0, 1000)));
  EXPECT_TRUE(part.labels.equals(slice_labels(full, 0, 1000)));
  EXPECT_NE(part.images.raw(), full.images.raw());  // a prefix is a copy
  EXPECT_EQ(load_dataset("fashion-mnist:train:5000").size(), 5000);
  // A second load of the whole split is served from the per-process cache.
  EXPECT_EQ(load_dataset("fashion-mnist:test").images.raw(), full.images.raw());
}

// Writes a tiny Fashion-MNIST-shaped folder (2 images of 2x2) with the given labels.
void write_fake(const TempDir& dir, const std::string& prefix, const std::string& labels) {
  auto gz = [&](const std::string& name, const std::string& bytes) {
    gzFile f = gzopen(dir.path(name).c_str(), "wb");
    ASSERT_NE(f, nullptr);
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
  };
  const char n = static_cast<char>(labels.size());
  std::string images = {0, 0, 8, 3, 0, 0, 0, n, 0, 0, 0, 2, 0, 0, 0, 2};
  for (int i = 0; i < 4 * n; ++i) images.push_back(static_cast<char>(i));
  gz(prefix + "-images-idx3-ubyte.gz", images);
  gz(prefix + "-labels-idx1-ubyte.gz", std::string{0, 0, 8, 1, 0, 0, 0, n} + labels);
}

class EnvGuard {
 public:
  explicit EnvGuard(const std::string& value) {
    if (const char* old = std::getenv("ETCH_FASHION_MNIST_DIR")) old_ = old, had_ = true;
    setenv("ETCH_FASHION_MNIST_DIR", value.c_str(), 1);
  }
  ~EnvGuard() {
    if (had_)
      setenv("ETCH_FASHION_MNIST_DIR", old_.c_str(), 1);
    else
      unsetenv("ETCH_FASHION_MNIST_DIR");
  }

 private:
  std::string old_;
  bool had_ = false;
};

TEST(FashionMnist, EnvironmentOverridesFolder) {
  TempDir dir;
  write_fake(dir, "t10k", std::string{3, 7});
  EnvGuard env(dir.path());
  EXPECT_EQ(fashion_mnist_dir(), dir.path());
  Dataset d = load_dataset("fashion-mnist:test");
  EXPECT_EQ(d.images.shape(), (Shape{2, 1, 2, 2}));
  EXPECT_EQ(d.labels.to_int64_vector(), (std::vector<int64_t>{3, 7}));
  EXPECT_EQ(d.images.data<float>()[5], 5.0f / 255.0f);
}

TEST(FashionMnist, OutOfRangeLabelNamesSpecAndIndex) {
  TempDir dir;
  write_fake(dir, "t10k", std::string{3, 10, 1});
  EnvGuard env(dir.path());
  try {
    load_dataset("fashion-mnist:test");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("'fashion-mnist:test': label 10 at index 1 is out of range [0, 10)"),
              std::string::npos)
        << e.what();
  }
}

TEST(FashionMnist, MissingFolderPointsAtEnvironmentVariable) {
  TempDir dir;
  EnvGuard env(dir.path("nothing-here"));
  try {
    load_dataset("fashion-mnist:train");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    const std::string msg = e.what();
    EXPECT_NE(msg.find(dir.path("nothing-here") + "/train-images-idx3-ubyte.gz not found"), std::string::npos) << msg;
    EXPECT_NE(msg.find("ETCH_FASHION_MNIST_DIR"), std::string::npos) << msg;
  }
}

TEST(FashionMnist, LabelsFileWithWrongMagicIsRejected) {
  TempDir dir;
  write_fake(dir, "t10k", std::string{1, 2});
  // Overwrite the labels with an images-style (rank 3) header.
  gzFile f = gzopen(dir.path("t10k-labels-idx1-ubyte.gz").c_str(), "wb");
  const std::string bad = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 1, 2};
  gzwrite(f, bad.data(), static_cast<unsigned>(bad.size()));
  gzclose(f);
  EnvGuard env(dir.path());
  try {
    load_dataset("fashion-mnist:test");
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("t10k-labels-idx1-ubyte.gz: expected u8 labels of rank 1"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace etch::data
