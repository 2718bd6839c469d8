// 8-bit JPEG reading and writing through libjpeg(-turbo), into the same HWC
// pixel struct as PNG so that image folders may mix both.
#pragma once
#include <string>

#include "etch/data/png_io.h"

namespace etch::data {

// Grayscale files give 1 channel, everything else (YCbCr, CMYK excepted) 3 RGB
// channels. Throws InvalidInput naming the path for unreadable, truncated or
// non-JPEG files and for CMYK/YCCK images.
PngImage read_jpeg(const std::string& path);
// Writes 1- or 3-channel HWC pixels at `quality` (1..100) with 4:4:4 sampling
// (not atomic; meant for tests and data preparation).
void write_jpeg(const std::string& path, const PngImage& image, int quality);

// Decodes by extension: .png, .jpg/.jpeg (case-insensitive); other names throw.
PngImage read_image(const std::string& path);
bool is_image_file_name(const std::string& path);

}  // namespace etch::data
