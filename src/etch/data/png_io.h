// 8-bit PNG reading and writing through libpng's simplified API.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace etch::data {

struct PngImage {
  int64_t height = 0, width = 0;
  int64_t channels = 0;         // 1 (grayscale) or 3 (RGB)
  std::vector<uint8_t> pixels;  // HWC, row-major
};

// The largest image the decoders accept, in pixels (100 megapixels, like the
// decompression-bomb limits of common image libraries): a header alone can
// state 65535 x 65535 pixels, and the pixels are allocated before decoding.
constexpr int64_t kMaxImagePixels = 100'000'000;
// InvalidInput naming the path when width x height exceeds kMaxImagePixels.
void check_image_size(const std::string& path, int64_t width, int64_t height);

// Grayscale files (with or without alpha) give 1 channel, colour and palette
// files 3; an alpha channel is composited onto black; 16-bit samples are
// reduced to 8 bits. Throws InvalidInput naming the path.
PngImage read_png(const std::string& path);

// Writes 1- or 3-channel HWC pixels (not atomic; meant for tests and exports).
void write_png(const std::string& path, const PngImage& image);

}  // namespace etch::data
