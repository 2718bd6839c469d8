#include <gtest/gtest.h>

#include "etch/data/dataset.h"

namespace etch::data {
namespace {

std::string spec_error(const std::string& spec) {
  try {
    load_dataset(spec);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput) << e.what();
    return e.what();
  }
  ADD_FAILURE() << spec << " loaded without error";
  return "";
}

void expect_error(const std::string& spec, const std::string& fragment) {
  const std::string msg = spec_error(spec);
  EXPECT_NE(msg.find(fragment), std::string::npos) << spec << " -> " << msg;
}

TEST(DatasetSpec, UnknownSpecListsAcceptedForms) {
  for (const std::string spec : {"mnist", "", "cifar10:train", "fashion-mnistx", "fashion-mnist:test:1:2"}) {
    const std::string msg = spec_error(spec);
    EXPECT_NE(msg.find("unknown data set '" + spec + "'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("fashion-mnist:<train|test>:<N>"), std::string::npos) << msg;
    EXPECT_NE(msg.find("npz:<file.npz>"), std::string::npos) << msg;
    EXPECT_NE(msg.find("images:<folder>"), std::string::npos) << msg;
  }
}

TEST(DatasetSpec, BadSplitAndCounts) {
  expect_error("fashion-mnist:valid", "unknown Fashion-MNIST split 'valid' (expected train or test)");
  expect_error("fashion-mnist:1000", "unknown Fashion-MNIST split '1000'");
  expect_error("fashion-mnist:test:0", "'fashion-mnist:test:0': the number of images must be at least 1, got 0");
  expect_error("fashion-mnist:test:abc", "'abc' is not a number of images");
  expect_error("fashion-mnist:test:-5", "'-5' is not a number of images");
  expect_error("fashion-mnist:test:10x", "'10x' is not a number of images");
  expect_error("fashion-mnist:test:", "'' is not a number of images");
  expect_error("fashion-mnist:test:99999999999999999999", "is not a number of images");
  expect_error("fashion-mnist:test:10001", "asks for 10001 images but the Fashion-MNIST test split has 10000");
}

TEST(DatasetSpec, MissingPathsAreNamed) {
  expect_error("npz:", "missing file name after 'npz:'");
  expect_error("images:", "missing folder after 'images:'");
  expect_error("images:/nonexistent/etch-folder", "/nonexistent/etch-folder is not a folder");
  expect_error("npz:/nonexistent/etch.npz", "/nonexistent/etch.npz");
}

TEST(DatasetSpec, WholeTestSplitByCount) {
  Dataset d = load_dataset("fashion-mnist:test:10000");
  EXPECT_EQ(d.size(), 10000);
}

TEST(DatasetSpec, SlicesCopyRows) {
  Dataset d;
  d.images = Tensor::from_vector<float>({3, 1, 1, 2}, {0, 1, 2, 3, 4, 5});
  d.labels = Tensor::from_vector<int64_t>({3}, {7, 8, 9});
  Tensor x = slice_images(d, 1, 3);
  EXPECT_EQ(x.shape(), (Shape{2, 1, 1, 2}));
  EXPECT_EQ(x.to_float_vector(), (std::vector<float>{2, 3, 4, 5}));
  EXPECT_EQ(slice_labels(d, 1, 3).to_int64_vector(), (std::vector<int64_t>{8, 9}));
  x.data<float>()[0] = -1;
  EXPECT_EQ(d.images.data<float>()[2], 2.0f);
  EXPECT_EQ(slice_images(d, 2, 2).dim(0), 0);
  EXPECT_THROW(slice_labels(d, 2, 4), Error);
}

}  // namespace
}  // namespace etch::data
