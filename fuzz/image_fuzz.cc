// libFuzzer target: an image file's bytes through the PNG and JPEG decoders
// (images: data sets). The decoders read paths, so the bytes go to a file in
// the temp folder first, one per process.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "etch/data/jpeg_io.h"
#include "etch/data/png_io.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string base =
      (std::filesystem::temp_directory_path() / ("etch_fuzz_image_" + std::to_string(::getpid()))).string();
  return fuzz_one(data, size, [](const std::string& bytes) {
    for (const char* ext : {".png", ".jpg"}) {
      const std::string path = base + ext;
      std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      try {
        etch::data::read_image(path);
      } catch (const etch::Error& e) {
        if (e.kind() == etch::ErrorKind::Internal) __builtin_trap();
      }
    }
  });
}
