// libFuzzer target: an .npz file's bytes: the ZIP directory, then every entry
// as .npy (npz: data sets).
#include "etch/data/npy.h"
#include "etch/data/zip_reader.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz_one(data, size, [](const std::string& bytes) {
    for (const etch::data::ZipEntry& e : etch::data::read_zip(bytes, "fuzz.npz"))
      etch::data::parse_npy(e.data, "fuzz.npz/" + e.name);
  });
}
