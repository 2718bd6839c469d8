// libFuzzer target: an .npy file's bytes (etch run --input, npy: data sets).
#include "etch/data/npy.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz_one(data, size, [](const std::string& bytes) { etch::data::parse_npy(bytes, "fuzz.npy"); });
}
