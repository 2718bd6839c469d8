// libFuzzer target: a .tflite file's bytes through the TFLite importer (the
// FlatBuffers verifier, then every index, buffer size and operator checked).
#include "etch/tflite/importer.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz_one(data, size, [](const std::string& bytes) { etch::tflite::import_model_bytes(bytes, "fuzz.tflite"); });
}
