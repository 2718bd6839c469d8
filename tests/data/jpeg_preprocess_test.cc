// JPEG decoding against the PNG of the same pixels, and image preprocessing
// specs: parsing, errors and the values they give.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "data/temp_dir.h"
#include "etch/data/dataset.h"
#include "etch/data/jpeg_io.h"
#include "etch/data/preprocess.h"

namespace etch::data {
namespace {

using testing::TempDir;

// A smooth colour gradient: JPEG at quality 100 with 4:4:4 sampling keeps it
// within a few levels.
PngImage gradient(int64_t h, int64_t w) {
  PngImage im{h, w, 3, {}};
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) {
      im.pixels.push_back(static_cast<uint8_t>(20 + 8 * x));
      im.pixels.push_back(static_cast<uint8_t>(30 + 6 * y));
      im.pixels.push_back(static_cast<uint8_t>(200 - 4 * (x + y)));
    }
  return im;
}

std::string preprocess_error(const std::string& text) {
  try {
    parse_preprocess(text, "spec");
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    return e.what();
  }
  ADD_FAILURE() << text << " parsed";
  return "";
}

TEST(Jpeg, DecodesWhatPngHoldsWithinTolerance) {
  TempDir dir;
  const PngImage im = gradient(16, 16);
  write_png(dir.path("a.png"), im);
  write_jpeg(dir.path("a.jpg"), im, 100);
  const PngImage png = read_image(dir.path("a.png"));
  const PngImage jpg = read_image(dir.path("a.jpg"));
  ASSERT_EQ(jpg.height, 16);
  ASSERT_EQ(jpg.width, 16);
  ASSERT_EQ(jpg.channels, 3);
  ASSERT_EQ(png.pixels, im.pixels);
  int worst = 0;
  for (size_t i = 0; i < im.pixels.size(); ++i) worst = std::max(worst, std::abs(jpg.pixels[i] - png.pixels[i]));
  EXPECT_LE(worst, 3);
  // Grayscale stays one channel.
  PngImage g{4, 4, 1, std::vector<uint8_t>(16, 77)};
  write_jpeg(dir.path("g.jpg"), g, 100);
  const PngImage gj = read_jpeg(dir.path("g.jpg"));
  EXPECT_EQ(gj.channels, 1);
  for (uint8_t v : gj.pixels) EXPECT_NEAR(v, 77, 1);
}

TEST(Jpeg, TruncatedAndForeignFilesAreNamed) {
  TempDir dir;
  write_jpeg(dir.path("a.jpg"), gradient(32, 32), 90);
  std::string bytes;
  {
    std::ifstream in(dir.path("a.jpg"), std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  dir.write("cut.jpg", bytes.substr(0, bytes.size() / 2));
  dir.write("junk.jpg", "definitely not a jpeg");
  for (const char* name : {"cut.jpg", "junk.jpg"}) {
    try {
      read_jpeg(dir.path(name));
      ADD_FAILURE() << name << " decoded";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
      EXPECT_NE(std::string(e.what()).find(dir.path(name) + ": not a readable JPEG file"), std::string::npos)
          << e.what();
    }
  }
  EXPECT_THROW(read_image(dir.path("a.gif")), Error);
}

// A header can state 65280 x 65280 pixels in a few hundred bytes (found by
// fuzz_image): refused, naming the file and the size, before any allocation.
TEST(Jpeg, HugeStatedSizeIsRefusedBeforeDecoding) {
  TempDir dir;
  write_jpeg(dir.path("a.jpg"), gradient(8, 8), 90);
  std::ifstream in(dir.path("a.jpg"), std::ios::binary);
  std::string bytes(std::istreambuf_iterator<char>(in), {});
  const size_t sof = bytes.find("\xFF\xC0");
  ASSERT_NE(sof, std::string::npos);
  for (size_t at : {sof + 5, sof + 7}) {  // height, width: 0xFF00 = 65280 (libjpeg's own limit is 65500)
    bytes[at] = static_cast<char>(0xFF);
    bytes[at + 1] = 0;
  }
  dir.write("huge.jpg", bytes);
  try {
    read_image(dir.path("huge.jpg"));
    ADD_FAILURE() << "huge.jpg decoded";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_NE(std::string(e.what()).find(dir.path("huge.jpg") + ": 65280x65280 pixels is more than etch reads"),
              std::string::npos)
        << e.what();
  }
}

TEST(Preprocess, ParsesEveryKey) {
  const Preprocess p =
      parse_preprocess("size=128x96,layout=nhwc,order=bgr,scale=0.5,mean=1/2/3,std=4,input=input:0", "spec");
  EXPECT_EQ(p.height, 128);
  EXPECT_EQ(p.width, 96);
  EXPECT_EQ(p.layout, Layout::NHWC);
  EXPECT_EQ(p.order, ChannelOrder::BGR);
  EXPECT_EQ(p.scale, 0.5);
  EXPECT_EQ(p.mean, (std::vector<double>{1, 2, 3}));
  EXPECT_EQ(p.std, (std::vector<double>{4}));
  EXPECT_EQ(p.input, "input:0");
  EXPECT_EQ(parse_preprocess("order=rgba,alpha=1", "spec").channels(), 4);
  EXPECT_EQ(parse_preprocess("", "spec").layout, Layout::NCHW);
}

TEST(Preprocess, ErrorsNameTheKey) {
  EXPECT_NE(preprocess_error("size=128").find("'size': '128' is not HxW"), std::string::npos);
  EXPECT_NE(preprocess_error("size=0x5").find("'size': '0' is not a size"), std::string::npos);
  EXPECT_NE(preprocess_error("layout=chw").find("'layout': 'chw' (expected nchw or nhwc)"), std::string::npos);
  EXPECT_NE(preprocess_error("order=yuv").find("'order': 'yuv'"), std::string::npos);
  EXPECT_NE(preprocess_error("scale=abc").find("'scale': 'abc' is not a number"), std::string::npos);
  EXPECT_NE(preprocess_error("mean=1/2").find("'mean' has 2 values; expected 1 or 3"), std::string::npos);
  EXPECT_NE(preprocess_error("std=0").find("'std' must not be 0"), std::string::npos);
  EXPECT_NE(preprocess_error("colour=red").find("unknown preprocessing key 'colour'"), std::string::npos);
  EXPECT_NE(preprocess_error("size").find("'size' is not key=value"), std::string::npos);
}

TEST(Preprocess, NormalisesReordersAndLaysOut) {
  // 1x2 image: pixel 0 = (10, 20, 30), pixel 1 = (40, 50, 60).
  const PngImage im{1, 2, 3, {10, 20, 30, 40, 50, 60}};
  Preprocess p = parse_preprocess("layout=nhwc,order=bgr,scale=1,mean=5,std=5", "spec");
  std::vector<float> out(6);
  preprocess_image(im, p, out.data());
  EXPECT_EQ(out, (std::vector<float>{5, 3, 1, 11, 9, 7}));
  p = parse_preprocess("layout=nchw,order=rgba,alpha=255,scale=0.00392156862745098", "spec");
  out.assign(8, 0);
  preprocess_image(im, p, out.data());
  const std::vector<float> want = {10 / 255.f, 40 / 255.f, 20 / 255.f, 50 / 255.f, 30 / 255.f, 60 / 255.f, 1, 1};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(out[i], want[i], 1e-6) << i;
}

TEST(Preprocess, ResizeOfAConstantImageIsConstantAndCropsCentre) {
  // 4x8 image: left half 0, right half 200 -> centre-cropped to a square it
  // keeps columns 2..5, resized to 2x2: left column ~0, right column ~200.
  PngImage im{4, 8, 1, {}};
  for (int64_t y = 0; y < 4; ++y)
    for (int64_t x = 0; x < 8; ++x) im.pixels.push_back(x < 4 ? 0 : 200);
  const Preprocess p = parse_preprocess("size=2x2,order=gray,scale=1", "spec");
  std::vector<float> out(4);
  preprocess_image(im, p, out.data());
  EXPECT_EQ(out, (std::vector<float>{0, 200, 0, 200}));
}

TEST(ImageFolderSpec, MixedPngAndJpegFlatFolderUnlabelled) {
  TempDir dir;
  write_png(dir.path("a.png"), gradient(8, 8));
  write_jpeg(dir.path("b.JPG"), gradient(16, 12), 95);
  const Dataset d = load_dataset("images:" + dir.path() + "?size=4x4,layout=nhwc,mean=0.5,std=0.5,input=input:0");
  EXPECT_EQ(d.size(), 2);
  EXPECT_FALSE(d.has_labels());
  ASSERT_EQ(d.inputs.size(), 1u);
  EXPECT_EQ(d.inputs[0].name, "input:0");
  EXPECT_EQ(d.inputs[0].values.shape(), (Shape{2, 4, 4, 3}));
  for (float v : d.inputs[0].values.to_float_vector()) {
    EXPECT_GE(v, -1.0f);
    EXPECT_LE(v, 1.0f);
  }
  // Without a size, differently sized images are refused with both names.
  try {
    load_dataset("images:" + dir.path() + "?layout=nchw");
    ADD_FAILURE() << "loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("?size=HxW"), std::string::npos) << e.what();
  }
  try {
    load_dataset("images:" + dir.path() + "?size=4");
    ADD_FAILURE() << "loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("data set 'images:" + dir.path() + "?size=4': preprocessing key 'size'"),
              std::string::npos)
        << e.what();
  }
}

TEST(ImageFolderSpec, ClassFoldersGiveLabels) {
  TempDir dir;
  std::filesystem::create_directories(dir.path("cat"));
  std::filesystem::create_directories(dir.path("dog"));
  write_png(dir.path("cat/1.png"), gradient(6, 6));
  write_jpeg(dir.path("dog/1.jpeg"), gradient(6, 6), 100);
  const Dataset d = load_dataset("images:" + dir.path() + "?layout=nchw");
  ASSERT_TRUE(d.has_labels());
  EXPECT_EQ(d.labels.to_int64_vector(), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(d.images.shape(), (Shape{2, 3, 6, 6}));
}

}  // namespace
}  // namespace etch::data
