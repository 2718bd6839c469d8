// libFuzzer target: any byte string given to the program loader must either
// decode to a valid program or raise etch::Error — never crash, hang or read
// out of bounds. Decoded programs are re-encoded and must round-trip.
#include <cstdint>
#include <string>

#include "etch/core/error.h"
#include "etch/npu/program.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    const etch::npu::Program p = etch::npu::deserialize_program(bytes, "fuzz.npu");
    const std::string again = etch::npu::serialize_program(p);
    if (!(etch::npu::deserialize_program(again, "fuzz.npu") == p)) __builtin_trap();
  } catch (const etch::Error& e) {
    if (e.kind() == etch::ErrorKind::Internal) __builtin_trap();  // a broken invariant, not bad input
  }
  return 0;
}
