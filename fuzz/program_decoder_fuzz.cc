// libFuzzer target: any byte string given to the program loader must either
// decode to a valid program or raise etch::Error — never crash, hang or read
// out of bounds. Decoded programs are re-encoded and must round-trip.
#include "etch/npu/program.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz_one(data, size, [](const std::string& bytes) {
    const etch::npu::Program p = etch::npu::deserialize_program(bytes, "fuzz.npu");
    const std::string again = etch::npu::serialize_program(p);
    if (!(etch::npu::deserialize_program(again, "fuzz.npu") == p)) __builtin_trap();
  });
}
