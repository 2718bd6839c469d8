#include "etch/data/transforms.h"

#include <gtest/gtest.h>

#include <numeric>

#include "etch/core/error.h"

namespace etch::data {
namespace {

std::vector<float> iota_image(int64_t n) {
  std::vector<float> v(static_cast<size_t>(n));
  std::iota(v.begin(), v.end(), 1.0f);
  return v;
}

TEST(Transforms, FlipTwiceIsIdentityAndFlipMirrorsRows) {
  std::vector<float> img = iota_image(2 * 3 * 4);
  const std::vector<float> orig = img;
  hflip_image(img.data(), 2, 3, 4);
  EXPECT_EQ((std::vector<float>(img.begin(), img.begin() + 4)), (std::vector<float>{4, 3, 2, 1}));
  EXPECT_EQ((std::vector<float>(img.end() - 4, img.end())), (std::vector<float>{24, 23, 22, 21}));
  hflip_image(img.data(), 2, 3, 4);
  EXPECT_EQ(img, orig);
}

TEST(Transforms, CropWithZeroPaddingIsIdentity) {
  const std::vector<float> img = iota_image(3 * 5 * 4);
  std::vector<float> out(img.size(), -1.0f);
  crop_padded(img.data(), out.data(), 3, 5, 4, 0, 0, 0);
  EXPECT_EQ(out, img);
}

TEST(Transforms, CropShiftsAndFillsZeros) {
  // 1x3x3 image 1..9, padded by 1 -> 5x5 with a zero border.
  const std::vector<float> img = iota_image(9);
  std::vector<float> out(9, -1.0f);
  crop_padded(img.data(), out.data(), 1, 3, 3, 1, 0, 0);  // top-left window
  EXPECT_EQ(out, (std::vector<float>{0, 0, 0, 0, 1, 2, 0, 4, 5}));
  crop_padded(img.data(), out.data(), 1, 3, 3, 1, 2, 2);  // bottom-right window
  EXPECT_EQ(out, (std::vector<float>{5, 6, 0, 8, 9, 0, 0, 0, 0}));
  crop_padded(img.data(), out.data(), 1, 3, 3, 1, 1, 1);  // centre = original
  EXPECT_EQ(out, img);
  crop_padded(img.data(), out.data(), 1, 3, 3, 1, 1, 2);  // shift left by one
  EXPECT_EQ(out, (std::vector<float>{2, 3, 0, 5, 6, 0, 8, 9, 0}));
  crop_padded(img.data(), out.data(), 1, 3, 3, 5, 0, 10);  // window entirely in padding
  EXPECT_EQ(out, std::vector<float>(9, 0.0f));
}

TEST(Transforms, NormalizePerChannelAndBroadcast) {
  std::vector<float> img = {0.5f, 1.0f, 0.0f, 0.25f};  // 2 channels of 2 pixels
  normalize_image(img.data(), 2, 2, {0.5f, 0.25f}, {0.5f, 0.25f});
  EXPECT_EQ(img, (std::vector<float>{0.0f, 1.0f, -1.0f, 0.0f}));
  std::vector<float> one = {1.0f, 0.0f};
  normalize_image(one.data(), 2, 1, {0.5f}, {2.0f});
  EXPECT_EQ(one, (std::vector<float>{0.25f, -0.25f}));
}

TEST(Transforms, SameKeySameResultAndBothFlipOutcomesOccur) {
  TransformOptions t;
  t.crop_padding = 2;
  t.horizontal_flip = true;
  const std::vector<float> img = iota_image(1 * 4 * 4);
  std::vector<float> a(16), b(16);
  int flipped = 0, shifted = 0;
  for (uint64_t key = 0; key < 200; ++key) {
    apply_transforms(t, img.data(), a.data(), 1, 4, 4, key);
    apply_transforms(t, img.data(), b.data(), 1, 4, 4, key);
    ASSERT_EQ(a, b);
    // Recover the draw: the output must equal some crop, possibly flipped.
    bool found = false;
    for (int dy = 0; dy <= 4 && !found; ++dy)
      for (int dx = 0; dx <= 4 && !found; ++dx)
        for (int f = 0; f < 2 && !found; ++f) {
          std::vector<float> c(16);
          crop_padded(img.data(), c.data(), 1, 4, 4, 2, dy, dx);
          if (f) hflip_image(c.data(), 1, 4, 4);
          if (c == a) {
            found = true;
            flipped += f;
            shifted += (dy != 2 || dx != 2);
          }
        }
    ASSERT_TRUE(found) << "key " << key;
  }
  EXPECT_GT(flipped, 60);
  EXPECT_LT(flipped, 140);
  EXPECT_GT(shifted, 150);  // 24 of 25 offsets move the image
}

TEST(Transforms, ValidationNamesTheProblem) {
  TransformOptions t;
  t.mean = {0.5f, 0.5f};
  t.std = {0.5f, 0.5f};
  EXPECT_NO_THROW(validate_transforms(t, 2));
  try {
    validate_transforms(t, 3);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("2 mean/std values; images have 3 channels"), std::string::npos) << e.what();
  }
  t.std = {0.5f, 0.0f};
  EXPECT_THROW(validate_transforms(t, 2), Error);
  t.std = {0.5f};
  EXPECT_THROW(validate_transforms(t, 2), Error);
  TransformOptions p;
  p.crop_padding = -1;
  EXPECT_THROW(validate_transforms(p, 1), Error);
}

}  // namespace
}  // namespace etch::data
