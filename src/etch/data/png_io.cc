#include "etch/data/png_io.h"

#include <png.h>

#include "etch/core/error.h"

namespace etch::data {

void check_image_size(const std::string& path, int64_t width, int64_t height) {
  ETCH_REQUIRE(width * height <= kMaxImagePixels, InvalidInput)
      << path << ": " << width << "x" << height << " pixels is more than etch reads (" << kMaxImagePixels / 1000000
      << " megapixels)";
}

PngImage read_png(const std::string& path) {
  png_image img{};
  img.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&img, path.c_str())) {
    const std::string why = img.message;
    png_image_free(&img);
    ETCH_FAIL(InvalidInput) << path << ": cannot read PNG (" << why << ")";
  }
  if (static_cast<int64_t>(img.width) * img.height > kMaxImagePixels) {
    png_image_free(&img);
    check_image_size(path, img.width, img.height);
  }
  PngImage out;
  out.height = img.height;
  out.width = img.width;
  out.channels = (img.format & PNG_FORMAT_FLAG_COLOR) ? 3 : 1;
  img.format = out.channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  // Zeroed buffer: with background == nullptr libpng composites alpha onto it.
  out.pixels.assign(PNG_IMAGE_SIZE(img), 0);
  if (!png_image_finish_read(&img, nullptr, out.pixels.data(), 0, nullptr)) {
    const std::string why = img.message;
    png_image_free(&img);
    ETCH_FAIL(InvalidInput) << path << ": cannot decode PNG (" << why << ")";
  }
  return out;
}

void write_png(const std::string& path, const PngImage& image) {
  ETCH_REQUIRE(image.channels == 1 || image.channels == 3, InvalidInput)
      << path << ": PNG writing supports 1 or 3 channels, got " << image.channels;
  ETCH_REQUIRE(static_cast<int64_t>(image.pixels.size()) == image.height * image.width * image.channels, InvalidInput)
      << path << ": " << image.pixels.size() << " pixel bytes for a " << image.height << "x" << image.width << "x"
      << image.channels << " image";
  png_image img{};
  img.version = PNG_IMAGE_VERSION;
  img.width = static_cast<png_uint_32>(image.width);
  img.height = static_cast<png_uint_32>(image.height);
  img.format = image.channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  if (!png_image_write_to_file(&img, path.c_str(), 0, image.pixels.data(), 0, nullptr)) {
    const std::string why = img.message;
    png_image_free(&img);
    ETCH_FAIL(InvalidInput) << path << ": cannot write PNG (" << why << ")";
  }
}

}  // namespace etch::data
