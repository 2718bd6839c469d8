#include "etch/data/loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "etch/core/thread_pool.h"
#include "etch/data/rng.h"

namespace etch::data {
namespace {

// N images of 1x3x3 whose pixels are row*100 + pixel, label row % 5.
Dataset numbered(int64_t n, int64_t c = 1) {
  Dataset d;
  d.name = "numbered";
  d.images = Tensor(DType::F32, {n, c, 3, 3});
  d.labels = Tensor(DType::I64, {n});
  for (int64_t i = 0; i < n; ++i) {
    d.labels.data<int64_t>()[i] = i % 5;
    for (int64_t p = 0; p < c * 9; ++p) d.images.data<float>()[i * c * 9 + p] = static_cast<float>(i * 100 + p);
  }
  d.num_classes = 5;
  return d;
}

LoaderOptions opts(int64_t batch_size, bool shuffle = false, bool drop_last = false, uint64_t seed = 0) {
  LoaderOptions o;
  o.batch_size = batch_size;
  o.shuffle = shuffle;
  o.drop_last = drop_last;
  o.seed = seed;
  return o;
}

std::vector<int64_t> epoch_rows(const DataLoader& loader) {
  std::vector<int64_t> rows;
  for (int64_t b = 0; b < loader.num_batches(); ++b) {
    Batch batch = loader.batch(b);
    EXPECT_EQ(batch.images.dim(0), batch.labels.dim(0));
    for (int64_t i = 0; i < batch.images.dim(0); ++i) {
      const int64_t row = batch.indices[static_cast<size_t>(i)];
      // Images and labels travel together.
      EXPECT_EQ(batch.images.data<float>()[i * 9], static_cast<float>(row * 100));
      EXPECT_EQ(batch.labels.data<int64_t>()[i], row % 5);
      rows.push_back(row);
    }
  }
  return rows;
}

TEST(DataLoader, SequentialBatchesCoverDataInOrder) {
  Dataset d = numbered(10);
  DataLoader loader(d, opts(4));
  EXPECT_EQ(loader.num_batches(), 3);
  EXPECT_EQ(loader.batch(2).images.shape(), (Shape{2, 1, 3, 3}));
  EXPECT_EQ(loader.batch(2).labels.dtype(), DType::I64);
  std::vector<int64_t> expect(10);
  std::iota(expect.begin(), expect.end(), int64_t{0});
  EXPECT_EQ(epoch_rows(loader), expect);
}

TEST(DataLoader, DropLastSkipsPartialBatch) {
  Dataset d = numbered(10);
  DataLoader loader(d, opts(4, false, true));
  EXPECT_EQ(loader.num_batches(), 2);
  EXPECT_EQ(epoch_rows(loader).size(), 8u);
  DataLoader exact(d, opts(5, false, true));
  EXPECT_EQ(exact.num_batches(), 2);
}

TEST(DataLoader, ShuffleIsSeededPermutationReshuffledPerEpoch) {
  Dataset d = numbered(50);
  DataLoader a(d, opts(8, true, false, 7));
  DataLoader b(d, opts(8, true, false, 7));
  std::vector<int64_t> e0 = epoch_rows(a);
  EXPECT_EQ(e0, epoch_rows(b));
  EXPECT_EQ(e0, shuffled_indices(50, 7));
  std::vector<int64_t> sorted = e0;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 50; ++i) EXPECT_EQ(sorted[static_cast<size_t>(i)], i);

  a.set_epoch(1);
  std::vector<int64_t> e1 = epoch_rows(a);
  EXPECT_NE(e0, e1);
  EXPECT_EQ(e1, shuffled_indices(50, 8));  // seed + epoch
  a.set_epoch(0);
  EXPECT_EQ(epoch_rows(a), e0);
}

TEST(DataLoader, ResultsDoNotDependOnThreadsOrRequestOrder) {
  Dataset d = numbered(300, 2);
  LoaderOptions o = opts(64, true, false, 3);
  o.transforms.crop_padding = 1;
  o.transforms.horizontal_flip = true;
  o.transforms.mean = {10.0f, 20.0f};
  o.transforms.std = {2.0f, 4.0f};
  DataLoader parallel(d, o);
  o.parallel = false;
  DataLoader serial(d, o);
  set_num_threads(2);
  const Batch last = parallel.batch(4);
  const Batch first = parallel.batch(0);
  set_num_threads(1);
  EXPECT_TRUE(serial.batch(0).images.equals(first.images));
  EXPECT_TRUE(serial.batch(4).images.equals(last.images));
  EXPECT_TRUE(serial.batch(4).labels.equals(last.labels));
  set_num_threads(0);
  serial.set_epoch(1);
  EXPECT_FALSE(serial.batch(0).images.equals(first.images));  // new order and new draws
}

TEST(DataLoader, AugmentedSampleMatchesTransformOfItsRow) {
  Dataset d = numbered(20);
  LoaderOptions o = opts(20, false, false, 11);
  o.transforms.crop_padding = 1;
  o.transforms.horizontal_flip = true;
  DataLoader loader(d, o);
  loader.set_epoch(2);
  Batch b = loader.batch(0);
  int changed = 0;
  for (int64_t i = 0; i < 20; ++i) {
    std::vector<float> expect(9);
    apply_transforms(o.transforms, d.images.data<float>() + i * 9, expect.data(), 1, 3, 3, sample_key(11, 2, i));
    std::vector<float> got(b.images.data<float>() + i * 9, b.images.data<float>() + (i + 1) * 9);
    EXPECT_EQ(got, expect) << "row " << i;
    changed += !std::equal(got.begin(), got.end(), d.images.data<float>() + i * 9);
  }
  EXPECT_GT(changed, 10);  // 1 in 18 draws (centre crop, no flip) leaves the image as is
}

TEST(DataLoader, RejectsBadOptions) {
  Dataset d = numbered(4);
  try {
    DataLoader loader(d, opts(0));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("data set numbered: batch size must be >= 1, got 0"), std::string::npos);
  }
  LoaderOptions o;
  o.transforms.mean = {0.5f, 0.5f, 0.5f};
  o.transforms.std = {1, 1, 1};
  EXPECT_THROW(DataLoader(d, o), Error);  // 3 means for 1 channel
}

}  // namespace
}  // namespace etch::data
