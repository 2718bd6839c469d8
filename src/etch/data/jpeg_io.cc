#include "etch/data/jpeg_io.h"

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <filesystem>
#include <memory>
// jpeglib.h needs FILE and size_t declared before it.
#include <jpeglib.h>

#include "etch/core/error.h"

namespace etch::data {
namespace {

// libjpeg reports errors through a callback that must not return: jump back
// to the caller, which turns the message into an etch::Error.
struct ErrorManager {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX] = {};
};

void on_error(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

void on_warning(j_common_ptr cinfo, int level) {
  // A corrupt-data warning (level -1) would silently give a grey image: treat it as an error.
  if (level < 0) on_error(cinfo);
}

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f) std::fclose(f);
  }
};

std::string lower_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return ext;
}

}  // namespace

PngImage read_jpeg(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  ETCH_REQUIRE(file != nullptr, InvalidInput) << path << ": cannot open JPEG file";
  jpeg_decompress_struct cinfo{};
  ErrorManager err;
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = on_error;
  err.pub.emit_message = on_warning;
  PngImage im;
  // Nothing with a destructor may be created between setjmp and the longjmp
  // that returns to it: `im` and `file` exist before, the row buffer is im.pixels.
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    ETCH_FAIL(InvalidInput) << path << ": not a readable JPEG file (" << err.message << ")";
  }
  jpeg_create_decompress(&cinfo);
  jpeg_stdio_src(&cinfo, file.get());
  jpeg_read_header(&cinfo, TRUE);
  const bool gray = cinfo.jpeg_color_space == JCS_GRAYSCALE;
  const bool cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  if (cmyk) {
    jpeg_destroy_decompress(&cinfo);
    ETCH_FAIL(InvalidInput) << path << ": CMYK/YCCK JPEG is not supported (expected grayscale or colour)";
  }
  if (static_cast<int64_t>(cinfo.image_width) * cinfo.image_height > kMaxImagePixels) {
    const int64_t w = cinfo.image_width, h = cinfo.image_height;
    jpeg_destroy_decompress(&cinfo);
    check_image_size(path, w, h);
  }
  cinfo.out_color_space = gray ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(&cinfo);
  im.height = cinfo.output_height;
  im.width = cinfo.output_width;
  im.channels = cinfo.output_components;
  im.pixels.resize(static_cast<size_t>(im.height * im.width * im.channels));
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = im.pixels.data() + static_cast<size_t>(cinfo.output_scanline) * im.width * im.channels;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return im;
}

void write_jpeg(const std::string& path, const PngImage& image, int quality) {
  ETCH_REQUIRE(image.channels == 1 || image.channels == 3, InvalidInput)
      << path << ": JPEG needs 1 or 3 channels, got " << image.channels;
  ETCH_REQUIRE(quality >= 1 && quality <= 100, InvalidInput)
      << path << ": JPEG quality " << quality << " not in 1..100";
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
  ETCH_REQUIRE(file != nullptr, InvalidInput) << path << ": cannot create JPEG file";
  jpeg_compress_struct cinfo{};
  ErrorManager err;
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = on_error;
  if (setjmp(err.jump)) {
    jpeg_destroy_compress(&cinfo);
    ETCH_FAIL(InvalidInput) << path << ": cannot write JPEG (" << err.message << ")";
  }
  jpeg_create_compress(&cinfo);
  jpeg_stdio_dest(&cinfo, file.get());
  cinfo.image_width = static_cast<JDIMENSION>(image.width);
  cinfo.image_height = static_cast<JDIMENSION>(image.height);
  cinfo.input_components = static_cast<int>(image.channels);
  cinfo.in_color_space = image.channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  for (int c = 0; c < cinfo.num_components; ++c)
    cinfo.comp_info[c].h_samp_factor = cinfo.comp_info[c].v_samp_factor = 1;
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    auto* row = const_cast<JSAMPLE*>(image.pixels.data() +
                                     static_cast<size_t>(cinfo.next_scanline) * image.width * image.channels);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
}

bool is_image_file_name(const std::string& path) {
  const std::string ext = lower_extension(path);
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

PngImage read_image(const std::string& path) {
  const std::string ext = lower_extension(path);
  if (ext == ".png") return read_png(path);
  if (ext == ".jpg" || ext == ".jpeg") return read_jpeg(path);
  ETCH_FAIL(InvalidInput) << path << ": not an image file name (expected .png, .jpg or .jpeg)";
}

}  // namespace etch::data
