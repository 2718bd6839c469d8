// libFuzzer target: a target file's text (etch compile --target FILE.toml).
#include "etch/npu/target.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz_one(data, size, [](const std::string& text) { etch::npu::target_from_toml_string(text, "fuzz.toml"); });
}
