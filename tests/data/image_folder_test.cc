#include "etch/data/image_folder.h"

#include <gtest/gtest.h>

#include "data/temp_dir.h"
#include "etch/data/png_io.h"

namespace etch::data {
namespace {

using testing::TempDir;

PngImage gray(int64_t h, int64_t w, uint8_t base) {
  PngImage im{h, w, 1, {}};
  for (int64_t i = 0; i < h * w; ++i) im.pixels.push_back(static_cast<uint8_t>(base + i));
  return im;
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

TEST(ImageFolder, PngRoundTrip) {
  TempDir dir;
  PngImage rgb{2, 3, 3, {}};
  for (int i = 0; i < 18; ++i) rgb.pixels.push_back(static_cast<uint8_t>(i * 14));
  write_png(dir.path("a.png"), rgb);
  PngImage back = read_png(dir.path("a.png"));
  EXPECT_EQ(back.height, 2);
  EXPECT_EQ(back.width, 3);
  EXPECT_EQ(back.channels, 3);
  EXPECT_EQ(back.pixels, rgb.pixels);
  dir.write("junk.png", "not a png at all");
  EXPECT_THROW(read_png(dir.path("junk.png")), Error);
}

TEST(ImageFolder, ClassesAreSortedSubfoldersAndPixelsScaled) {
  TempDir dir;
  std::filesystem::create_directories(dir.path("dog"));
  std::filesystem::create_directories(dir.path("cat"));
  write_png(dir.path("dog/1.png"), gray(2, 3, 50));
  write_png(dir.path("cat/b.png"), gray(2, 3, 20));
  write_png(dir.path("cat/a.png"), gray(2, 3, 10));
  dir.write("README.txt", "top-level files are ignored");
  dir.write("cat/.hidden", "ignored");
  Dataset d = load_dataset("images:" + dir.path());
  EXPECT_EQ(d.name, "images:" + dir.path());
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(d.num_classes, 2);
  EXPECT_EQ(d.images.shape(), (Shape{3, 1, 2, 3}));
  EXPECT_EQ(d.labels.to_int64_vector(), (std::vector<int64_t>{0, 0, 1}));
  // Files in name order within a class: a.png (10..15), b.png (20..25), then dog.
  EXPECT_EQ(d.images.data<float>()[0], 10.0f / 255.0f);
  EXPECT_EQ(d.images.data<float>()[6], 20.0f / 255.0f);
  EXPECT_EQ(d.images.data<float>()[17], 55.0f / 255.0f);
}

TEST(ImageFolder, RgbBecomesChannelsFirst) {
  TempDir dir;
  std::filesystem::create_directories(dir.path("only"));
  // 1x2 RGB: pixel 0 = (1,2,3), pixel 1 = (4,5,6).
  write_png(dir.path("only/x.png"), PngImage{1, 2, 3, {1, 2, 3, 4, 5, 6}});
  Dataset d = load_dataset("images:" + dir.path());
  EXPECT_EQ(d.images.shape(), (Shape{1, 3, 1, 2}));
  std::vector<float> expect;
  for (int v : {1, 4, 2, 5, 3, 6}) expect.push_back(static_cast<float>(v) / 255.0f);
  EXPECT_EQ(d.images.to_float_vector(), expect);
}

TEST(ImageFolder, MixedSizesNameFirstOffendingFileAndBothSizes) {
  TempDir dir;
  std::filesystem::create_directories(dir.path("a"));
  std::filesystem::create_directories(dir.path("b"));
  write_png(dir.path("a/1.png"), gray(4, 4, 0));
  write_png(dir.path("a/2.png"), gray(4, 4, 0));
  write_png(dir.path("b/1.png"), gray(5, 4, 0));  // first offender in file order
  write_png(dir.path("b/2.png"), gray(3, 3, 0));
  const std::string msg = load_error("images:" + dir.path());
  EXPECT_NE(msg.find(dir.path("b/1.png") + " is 5x4x1 (HxWxC) but " + dir.path("a/1.png") + " is 4x4x1 (HxWxC)"),
            std::string::npos)
      << msg;
}

TEST(ImageFolder, MixedChannelsAreRejected) {
  TempDir dir;
  std::filesystem::create_directories(dir.path("a"));
  write_png(dir.path("a/1.png"), gray(2, 2, 0));
  write_png(dir.path("a/2.png"), PngImage{2, 2, 3, std::vector<uint8_t>(12, 7)});
  const std::string msg = load_error("images:" + dir.path());
  EXPECT_NE(msg.find(dir.path("a/2.png") + " is 2x2x3 (HxWxC) but"), std::string::npos) << msg;
}

TEST(ImageFolder, StructureErrors) {
  TempDir empty;
  EXPECT_NE(load_error("images:" + empty.path()).find("has no class sub-folders"), std::string::npos);

  TempDir no_images;
  std::filesystem::create_directories(no_images.path("a"));
  EXPECT_NE(load_error("images:" + no_images.path())
                .find("class folder " + no_images.path("a") + " holds no PNG or JPEG files"),
            std::string::npos);

  TempDir text;
  std::filesystem::create_directories(text.path("a"));
  text.write("a/notes.txt", "text");
  EXPECT_NE(load_error("images:" + text.path()).find(text.path("a/notes.txt") + " is not a PNG or JPEG file"),
            std::string::npos);

  TempDir jpeg;  // JPEG is accepted; a broken one is named
  std::filesystem::create_directories(jpeg.path("a"));
  jpeg.write("a/photo.jpg", "jpeg");
  EXPECT_NE(load_error("images:" + jpeg.path()).find(jpeg.path("a/photo.jpg") + ": not a readable JPEG file"),
            std::string::npos);

  TempDir corrupt;
  std::filesystem::create_directories(corrupt.path("a"));
  corrupt.write("a/bad.png", "garbage");
  EXPECT_NE(load_error("images:" + corrupt.path()).find(corrupt.path("a/bad.png") + ": cannot read PNG"),
            std::string::npos);
}

}  // namespace
}  // namespace etch::data
