#include <gtest/gtest.h>

#include "data/npz_writer.h"
#include "data/temp_dir.h"
#include "etch/data/dataset.h"
#include "etch/data/npy.h"

namespace etch::data {
namespace {

using testing::TempDir;

std::string write_npz(const TempDir& dir, const std::string& name, const std::map<std::string, Tensor>& arrays) {
  return dir.write(name, etch::testing::npz_bytes(arrays));
}

std::string load_error(const std::string& spec) {
  try {
    load_dataset(spec);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput) << e.what();
    return e.what();
  }
  ADD_FAILURE() << spec << " loaded";
  return "";
}

TEST(NpzDataset, U8ImagesWithoutChannelAreScaled) {
  TempDir dir;
  const std::string path = write_npz(dir, "d.npz",
                                     {{"x", Tensor::from_vector<uint8_t>({2, 1, 2}, {0, 255, 51, 102})},
                                      {"y", Tensor::from_vector<int32_t>({2}, {2, 0})}});
  Dataset d = load_dataset("npz:" + path);
  EXPECT_EQ(d.name, "npz:" + path);
  EXPECT_EQ(d.images.shape(), (Shape{2, 1, 1, 2}));
  EXPECT_EQ(d.images.to_float_vector(), (std::vector<float>{0.0f, 1.0f, 0.2f, 0.4f}));
  EXPECT_EQ(d.labels.dtype(), DType::I64);
  EXPECT_EQ(d.labels.to_int64_vector(), (std::vector<int64_t>{2, 0}));
  EXPECT_EQ(d.num_classes, 3);
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"0", "1", "2"}));
}

TEST(NpzDataset, F32ImagesKeepShapeAndValues) {
  TempDir dir;
  const std::string path = write_npz(dir, "f.npz",
                                     {{"x", Tensor::from_vector<float>({1, 2, 1, 1}, {0.25f, 0.75f})},
                                      {"y", Tensor::from_vector<int64_t>({1}, {4})},
                                      {"num_classes", Tensor::scalar<int64_t>(10)}});
  Dataset d = load_dataset("npz:" + path);
  EXPECT_EQ(d.images.shape(), (Shape{1, 2, 1, 1}));
  EXPECT_EQ(d.images.to_float_vector(), (std::vector<float>{0.25f, 0.75f}));
  EXPECT_EQ(d.num_classes, 10);
}

TEST(NpzDataset, LabelErrorsNameSpecAndIndex) {
  TempDir dir;
  const std::string neg = write_npz(
      dir, "neg.npz", {{"x", Tensor(DType::U8, {3, 2, 2})}, {"y", Tensor::from_vector<int64_t>({3}, {0, 1, -1})}});
  EXPECT_NE(load_error("npz:" + neg).find("'npz:" + neg + "': label -1 at index 2 is out of range"), std::string::npos);
  const std::string big = write_npz(dir, "big.npz",
                                    {{"x", Tensor(DType::U8, {2, 2, 2})},
                                     {"y", Tensor::from_vector<int64_t>({2}, {5, 1})},
                                     {"num_classes", Tensor::scalar<int64_t>(5)}});
  EXPECT_NE(load_error("npz:" + big).find("label 5 at index 0 is out of range [0, 5)"), std::string::npos);
}

TEST(NpzDataset, ArrayErrorsNameFileAndArray) {
  TempDir dir;
  const std::string none = write_npz(dir, "none.npz", {{"y", Tensor(DType::I64, {1})}});
  EXPECT_NE(load_error("npz:" + none).find(none + ": no input arrays"), std::string::npos);
  const std::string i32 =
      write_npz(dir, "i32.npz", {{"x", Tensor(DType::I32, {1, 2, 2})}, {"y", Tensor(DType::I64, {1})}});
  EXPECT_NE(load_error("npz:" + i32).find(i32 + ": array \"x\" is i32"), std::string::npos);
  const std::string zero = write_npz(dir, "zero.npz", {{"x", Tensor(DType::F32, {0, 4})}});
  EXPECT_NE(load_error("npz:" + zero).find("expected at least one sample"), std::string::npos);
  const std::string count =
      write_npz(dir, "count.npz", {{"x", Tensor(DType::F32, {2, 2, 2})}, {"y", Tensor(DType::I64, {3})}});
  EXPECT_NE(load_error("npz:" + count).find("array \"y\" has shape [3]; expected [2]"), std::string::npos);
  const std::string fy =
      write_npz(dir, "fy.npz", {{"x", Tensor(DType::F32, {2, 2, 2})}, {"y", Tensor(DType::F32, {2})}});
  EXPECT_NE(load_error("npz:" + fy).find("expected integer class labels"), std::string::npos);
  const std::string uneven = write_npz(
      dir, "uneven.npz", {{"input", Tensor(DType::F32, {3, 512})}, {"state", Tensor(DType::F32, {2, 2, 128})}});
  EXPECT_NE(load_error("npz:" + uneven).find("array \"state\" has 2 samples (shape [2,2,128]) but \"input\" has 3"),
            std::string::npos);
}

TEST(NpzDataset, SeveralNamedInputsWithoutLabels) {
  TempDir dir;
  Tensor audio = Tensor::from_vector<float>({2, 3}, {0.1f, 0.2f, 0.3f, -0.1f, -0.2f, -0.3f});
  Tensor state = Tensor::from_vector<float>({2, 2, 1, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  Tensor sr = Tensor::from_vector<int64_t>({2}, {16000, 8000});
  const std::string path = write_npz(dir, "multi.npz", {{"input", audio}, {"state", state}, {"sr", sr}});
  const Dataset d = load_dataset("npz:" + path);
  EXPECT_EQ(d.size(), 2);
  EXPECT_FALSE(d.has_labels());
  EXPECT_FALSE(d.images.defined());  // several inputs: no single image tensor
  ASSERT_EQ(d.inputs.size(), 3u);
  ASSERT_NE(d.input("state"), nullptr);
  EXPECT_EQ(d.input("state")->values.shape(), (Shape{2, 2, 1, 2}));
  EXPECT_EQ(d.input("state")->values.to_float_vector(), state.to_float_vector());
  EXPECT_EQ(d.input("input")->values.to_float_vector(), audio.to_float_vector());
  EXPECT_EQ(d.input("sr")->values.dtype(), DType::I64);
  EXPECT_EQ(d.input("sr")->values.to_int64_vector(), (std::vector<int64_t>{16000, 8000}));
  EXPECT_EQ(d.input("missing"), nullptr);
  EXPECT_FALSE(slice_labels(d, 0, 1).defined());
  const Tensor row = slice_rows(d.input("state")->values, 1, 2);
  EXPECT_EQ(row.shape(), (Shape{1, 2, 1, 2}));
  EXPECT_EQ(row.to_float_vector(), (std::vector<float>{5, 6, 7, 8}));
}

TEST(NpzDataset, SingleNonImageInputKeepsItsShape) {
  TempDir dir;
  // A [N, 28, 96] embedding sequence with one sample and no labels.
  Tensor x(DType::F32, {1, 28, 96});
  for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = static_cast<float>(i) * 0.5f;
  const std::string path = write_npz(dir, "seq.npz", {{"x", x}});
  const Dataset d = load_dataset("npz:" + path);
  EXPECT_EQ(d.size(), 1);
  EXPECT_FALSE(d.has_labels());
  ASSERT_EQ(d.inputs.size(), 1u);
  EXPECT_EQ(d.inputs[0].name, "x");
  EXPECT_EQ(d.inputs[0].values.shape(), (Shape{1, 28, 96}));
  EXPECT_EQ(d.inputs[0].values.to_float_vector(), x.to_float_vector());
  EXPECT_EQ(d.images.shape(), (Shape{1, 1, 28, 96}));  // the legacy image view
}

TEST(NpyDataset, OneArrayIsTheSingleInput) {
  TempDir dir;
  Tensor x = Tensor::from_vector<float>({3, 2}, {1, 2, 3, 4, 5, 6});
  const std::string path = dir.path("x.npy");
  write_npy(path, x);
  const Dataset d = load_dataset("npy:" + path);
  EXPECT_EQ(d.size(), 3);
  EXPECT_FALSE(d.has_labels());
  ASSERT_EQ(d.inputs.size(), 1u);
  EXPECT_EQ(d.inputs[0].name, "x");
  EXPECT_EQ(d.inputs[0].values.to_float_vector(), x.to_float_vector());
  EXPECT_NE(load_error("npy:").find("missing file name after 'npy:'"), std::string::npos);
  EXPECT_NE(load_error("npy:" + dir.path("nope.npy")).find(dir.path("nope.npy")), std::string::npos);
}

}  // namespace
}  // namespace etch::data
