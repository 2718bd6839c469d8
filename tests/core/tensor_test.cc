#include "etch/core/tensor.h"

#include <gtest/gtest.h>

#include "etch/core/thread_pool.h"

namespace etch {
namespace {

TEST(Tensor, AllocatesZeroedAndReshapesSharingStorage) {
  Tensor t(DType::F32, {2, 3});
  EXPECT_EQ(t.numel(), 6);
  EXPECT_EQ(t.nbytes(), 24u);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(t.data<float>()[i], 0.0f);
  Tensor r = t.reshaped({3, 2});
  r.data<float>()[5] = 7;
  EXPECT_EQ(t.data<float>()[5], 7.0f);
  Tensor c = t.clone();
  c.data<float>()[5] = 1;
  EXPECT_EQ(t.data<float>()[5], 7.0f);
}

TEST(Tensor, WrongDtypeAccessIsInternalError) {
  Tensor t(DType::I8, {4});
  EXPECT_THROW(t.data<float>(), Error);
}

TEST(Tensor, NegativeDimensionIsInvalidInput) {
  try {
    Tensor t(DType::F32, {2, -1});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("negative"), std::string::npos);
  }
}

TEST(Tensor, HugeTensorRefusedBeforeAllocation) {
  EXPECT_THROW(Tensor(DType::F32, {1 << 20, 1 << 20, 1 << 20}), Error);
}

TEST(Tensor, PackedInt4RoundTripsSignedValues) {
  Tensor t(DType::I4, {5});
  EXPECT_EQ(t.nbytes(), 3u);
  const int vals[] = {-7, 7, 0, -1, 3};
  for (int i = 0; i < 5; ++i) t.set_from_double(i, vals[i]);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(t.get_as_double(i), vals[i]);
}

TEST(ThreadPool, ChunksCoverRangeAndSumIsThreadIndependent) {
  auto sum_with = [](int threads) {
    set_num_threads(threads);
    std::vector<double> partial(100, 0);
    parallel_for(100000, 1000, [&](int64_t b, int64_t e) {
      double s = 0;
      for (int64_t i = b; i < e; ++i) s += 1.0 / (1 + i);
      partial[b / 1000] = s;
    });
    double s = 0;
    for (double p : partial) s += p;
    return s;
  };
  double one = sum_with(1), two = sum_with(2), four = sum_with(4);
  EXPECT_EQ(one, two);
  EXPECT_EQ(one, four);
  set_num_threads(0);
}

TEST(ThreadPool, PropagatesExceptions) {
  set_num_threads(2);
  EXPECT_THROW(parallel_for(10, 1,
                            [](int64_t b, int64_t) {
                              if (b == 3) throw Error(ErrorKind::InvalidInput, "boom");
                            }),
               Error);
  set_num_threads(0);
}

}  // namespace
}  // namespace etch
