// libFuzzer target: a .wav file's bytes (wav: data sets).
#include "etch/data/wav.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz_one(data, size, [](const std::string& bytes) { etch::data::parse_wav(bytes, "fuzz.wav"); });
}
