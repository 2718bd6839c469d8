// libFuzzer target: an ONNX file's bytes through the importer (external data
// confined to a folder that does not exist, so nothing outside is read).
#include "etch/onnx/importer.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz_one(data, size, [](const std::string& bytes) {
    etch::onnx::import_model_bytes(bytes, "/nonexistent/etch-fuzz", "fuzz.onnx");
  });
}
