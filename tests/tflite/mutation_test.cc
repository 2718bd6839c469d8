// Robustness: valid fixtures with random bytes changed must either import or
// fail with etch::Error — never crash, hang or throw anything else. (A short,
// deterministic stand-in for fuzzing; the verifier keeps the structure sound,
// these reach the semantic checks behind it.)
#include <gtest/gtest.h>

#include <random>

#include "etch/core/atomic_file.h"
#include "etch/tflite/importer.h"

namespace etch::tflite {
namespace {

TEST(TfliteMutation, ChangedBytesImportOrFailCleanly) {
  std::mt19937 rng(19);
  int imported = 0, refused = 0;
  for (const char* name : {"conv", "int8", "sparse", "shape", "tconv_custom"}) {
    std::string path = ETCH_SOURCE_DIR "/fixtures/tflite/";  // appended: see tests/rtl/rtl_test_util.h
    const std::string good = read_file((path += name) += ".tflite");
    for (int trial = 0; trial < 400; ++trial) {
      std::string bytes = good;
      const int changes = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < changes; ++k) bytes[rng() % bytes.size()] = static_cast<char>(rng());
      try {
        import_model_bytes(bytes, "mutated.tflite");
        ++imported;
      } catch (const Error& e) {
        ++refused;
        EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
      }
    }
  }
  // Both outcomes occur: changed weights import, changed structure is refused.
  EXPECT_GT(imported, 0);
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace etch::tflite
